// One scripted server, one Uploader pointed at it, and a log of its events: the setup of most engine tests.
import { Uploader, type UploaderOptions } from '../../src/engine/index.js';
import { EventLog } from './engine-events.js';
import { ScriptedServer } from './scripted-server.js';

export interface Harness {
  server: ScriptedServer;
  uploader: Uploader;
  log: EventLog;
  /** Cancels what runs and fails what the server still holds open. */
  dispose(): void;
}

export function scriptedUploader(options: Partial<UploaderOptions> = {}): Harness {
  const server = new ScriptedServer();
  const uploader = new Uploader({ statusUrl: server.statusUrl, uploadUrl: server.uploadUrl, ...options });
  const log = new EventLog(uploader);
  return {
    server,
    uploader,
    log,
    dispose() {
      uploader.clear();
      server.close();
    },
  };
}
