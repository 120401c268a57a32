/** Where the generated integrity worker module lives. */
export declare const workerScriptPath: string;
/** The text src/engine/integrity/worker-script.ts must have: the worker bundled with hash-wasm. */
export declare function workerScriptModule(): Promise<string>;
