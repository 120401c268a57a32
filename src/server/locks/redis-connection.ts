// The Redis side of the Redis locker: connecting, running its scripts, and outages. Every Redis failure
// becomes a LockUnavailableError, which the request answers as 503 with one line saying why.
import type * as IoRedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import type { Script } from './redis-scripts.js';
import { LockUnavailableError } from './types.js';

/** An optional peer dependency, loaded only where a Redis locker is created. */
const OPTIONAL_IOREDIS = 'ioredis';

/** The two connections a locker uses: one for commands, one subscribed to its notification channel. */
export interface RedisConnections {
  client: Redis;
  subscriber: Redis;
}

/** Connects both; rejects with a LockUnavailableError when Redis cannot be reached. */
export async function connectRedis(
  given: string | RedisOptions,
  commandTimeout: number,
): Promise<RedisConnections> {
  const Client = await loadIoRedis();
  const base = commandOptions(commandTimeout);
  const client = typeof given === 'string' ? new Client(given, base) : new Client({ ...given, ...base });
  // The subscriber queues its SUBSCRIBE until connected and subscribes again after every reconnect.
  const subscriber = client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  const swallow = (): void => undefined;
  client.on('error', swallow);
  subscriber.on('error', swallow);
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (err) {
    client.disconnect();
    subscriber.disconnect();
    throw new LockUnavailableError(`Redis unavailable: ${(err as Error).message}`, { cause: err });
  }
  return { client, subscriber };
}

async function loadIoRedis(): Promise<typeof Redis> {
  try {
    // A name bundlers do not follow: an app that bundles the server without ioredis still builds.
    return ((await import(OPTIONAL_IOREDIS)) as typeof IoRedis).Redis;
  } catch (err) {
    throw new Error(
      'resumable-upload server: a Redis locker needs the ioredis package (npm install ioredis)',
      {
        cause: err,
      },
    );
  }
}

function commandOptions(commandTimeout: number): RedisOptions {
  return {
    commandTimeout,
    connectTimeout: 5000,
    // Fail at once while disconnected (the request gets 503), never replay a lock command later.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: true,
  };
}

/** What a locker does when its command connection drops and comes back. */
export interface OutageHandlers {
  /** Whether the locker is closing: its own disconnect is no outage to warn about. */
  closing(): boolean;
  lost(): void;
  back(): void;
}

/** Warns once when the command connection is lost and once when it is back, and tells the locker. */
export function watchOutages(client: Redis, handlers: OutageHandlers): void {
  let down = false;
  client.on('close', () => {
    if (!down && !handlers.closing())
      console.warn('resumable-upload server: Redis connection lost; uploads get 503 until it is back');
    down = true;
    handlers.lost();
  });
  client.on('ready', () => {
    if (down) console.warn('resumable-upload server: Redis connection is back');
    down = false;
    handlers.back();
  });
}

/** Runs a script: EVALSHA, EVAL when Redis does not know it; any failure is a LockUnavailableError. */
export async function runScript(
  client: Redis,
  script: Script,
  keys: string[],
  args: Array<string | number>,
): Promise<unknown> {
  try {
    try {
      return await client.evalsha(script.sha, script.keys, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      return await client.eval(script.lua, script.keys, ...keys, ...args);
    }
  } catch (err) {
    throw new LockUnavailableError(`Upload locks unavailable: ${describe(err)}`, { cause: err });
  }
}

/** One line for the 503's reason: what went wrong with Redis, without addresses. */
function describe(err: unknown): string {
  const message = String((err as Error | null)?.message ?? err);
  if (/timed out/i.test(message)) return 'Redis did not answer in time';
  if (/writeable|closed|ECONNREFUSED|ECONNRESET|EPIPE|MaxRetriesPerRequest/i.test(message)) {
    return 'Redis is not reachable';
  }
  return `Redis refused: ${message.split('\n')[0]}`;
}
