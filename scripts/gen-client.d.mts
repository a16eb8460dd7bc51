export declare const CONTRACT_PATH: string;
export declare const CLIENT_TYPES_PATH: string;
export declare function generateClientTypes(): Promise<string>;
