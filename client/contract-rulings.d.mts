export interface Ruling {
  id: string;
  ruling: string;
  apply(doc: unknown): void;
}

export declare const RULINGS: Ruling[];

export declare function applyRulings<T>(contract: T): T;
