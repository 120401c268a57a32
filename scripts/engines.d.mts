export type EngineName = 'chromium' | 'firefox' | 'webkit';
export declare const firefoxPath: string;
export declare const webkitDriverPath: string;
export declare const miniBrowserPath: string;
export declare const xvfbPath: string;
export declare function selectedEngines(): EngineName[];
export declare function assertInstalled(engine: EngineName): void;
export declare const firefoxLaunchOptions: {
  browser: 'firefox';
  executablePath: string;
  headless: boolean;
  timeout: number;
  networkEnabled: boolean;
  extraPrefsFirefox: Record<string, unknown>;
};
export declare function freePort(): Promise<number>;
export declare function startXvfb(): Promise<{ display: string; stop: () => void }>;
export declare function startWebKitDriver(display: string): Promise<{ port: number; stop: () => void }>;
export declare const webkitCapabilities: Record<string, unknown> & { browserName: string };
export declare function webkitRemoteOptions(
  port: number,
  timeoutMs?: number,
): {
  hostname: string;
  port: number;
  path: string;
  logLevel: 'error';
  connectionRetryTimeout: number;
  connectionRetryCount: number;
  capabilities: Record<string, unknown> & { browserName: string };
};
export declare function startWebKitStack(): Promise<{ display: string; port: number; stop: () => void }>;
