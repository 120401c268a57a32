// Angular: a standalone component with CUSTOM_ELEMENTS_SCHEMA, compiled ahead of time by ngc with strict
// templates. `[prop]` sets a property, `(upload-progress)` listens with `$event` typed from the element's map.
import { Component, CUSTOM_ELEMENTS_SCHEMA, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import 'resumable-upload';
import type { UploadProgressDetail } from 'resumable-upload';
import { CHUNK_SIZE, hear, objects, onShow } from '../log.js';

@Component({
  selector: 'app-root',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    @if (shown()) {
      <resumable-upload
        status-url="/status"
        upload-url="/upload"
        [chunkSize]="chunkSize"
        [headers]="headers"
        [i18n]="i18n"
        (upload-progress)="progress($event)"
        (upload-complete)="hear($event)"
      ></resumable-upload>
    }
  `,
})
class App {
  protected readonly shown = signal(true);
  protected readonly chunkSize = CHUNK_SIZE;
  protected readonly headers = objects('angular').headers;
  protected readonly i18n = objects('angular').i18n;
  protected readonly hear = hear;

  constructor() {
    onShow((visible) => this.shown.set(visible));
  }

  protected progress(event: CustomEvent<UploadProgressDetail>): void {
    hear(event);
  }
}

bootstrapApplication(App, { providers: [provideZonelessChangeDetection()] }).catch((err: unknown) => {
  throw err;
});
