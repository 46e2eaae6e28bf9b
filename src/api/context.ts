import type { Config } from '../config/config';
import { UsageError } from '../errors';
import { opsArea } from '../history/area';
import { HistoryRecorder } from '../history/recorder';
import { EndpointStores } from '../store/endpoint-stores';
import type { OpenStore } from '../store/open';
import { progressSink, type Operation, type ProgressListener } from './progress';

/** What every API module needs: the configuration (with the manifest key, if any), the open store, the client's listener. */
export class ApiContext {
  private closed = false;
  private recorder?: HistoryRecorder;
  private otherEndpoints?: EndpointStores;

  constructor(readonly config: Config, private readonly opened: OpenStore, private readonly listener: ProgressListener, private readonly recordHistory = true) {}

  /** The open store; after close() every call is a usage error, not a hang or a crash. */
  get open(): OpenStore {
    if (this.closed) throw new UsageError('this lakevault client is closed');
    return this.opened;
  }

  get store(): OpenStore['store'] {
    return this.open.store;
  }

  /** The run's stores on every endpoint: the primary, and those of locations or flags that name another (opened on first use). */
  get endpoints(): EndpointStores {
    return (this.otherEndpoints ??= new EndpointStores(this.config, this.open));
  }

  /** A progress function for one call: the call's own listener and the client's. */
  progress(operation: Operation, own?: ProgressListener) {
    return progressSink(operation, own, this.listener);
  }

  /** Where operations' reports are kept: the backup repository's operations area (src/history). */
  get history(): HistoryRecorder {
    return (this.recorder ??= new HistoryRecorder(this.store, opsArea(this.config.backups), {
      enabled: this.recordHistory,
      warn: (line) => this.progress('history')(line, { warning: line }),
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.otherEndpoints?.close();
    await this.opened.close();
  }
}

/** Options every long-running call takes. */
export interface CallOptions {
  onProgress?: ProgressListener;
}
