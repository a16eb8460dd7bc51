export declare const CONTRACT_PATH: string;
export declare const CLIENT_TYPES_PATH: string;
export declare const SERVED_DOCUMENT_PATH: string;
export declare const SERVED_TYPES_PATH: string;
export declare function generateClientTypes(): Promise<string>;
export declare function operationsBeyondContract(served: unknown, contract: unknown): string[];
export declare function generateServedTypes(served: unknown): Promise<string>;
export declare function servedDocumentText(served: unknown): string;
export declare function buildServedDocument(): Promise<unknown>;
