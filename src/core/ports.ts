import type { JobRoute } from './routes.js';
import type { JobEvent } from './events.js';

/** Where media bytes live. Keys are relative, slash-separated and never shown to users. */
export interface MediaStore {
  put(key: string, data: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  /** Moves a file; used when an image changes project. */
  move(fromKey: string, toKey: string): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Publishes and fans out job events across processes. */
export interface JobEventBus {
  publish(event: JobEvent): Promise<void>;
  /** Listens to every job's events; returns a function that stops listening. */
  subscribe(listener: (event: JobEvent) => void): Promise<() => Promise<void>>;
}

/** The queue as the core sees it: no BullMQ types cross this line. */
export interface JobQueue {
  /** Into the line of the backends that can run the route (its kind and model). */
  enqueue(jobId: string, priority: number, route: JobRoute): Promise<void>;
  /** Removes a job that has not started; false when it is running or gone. */
  removeWaiting(jobId: string, route: JobRoute): Promise<boolean>;
  /** Jobs waiting (any priority) plus running. */
  size(): Promise<number>;
}
