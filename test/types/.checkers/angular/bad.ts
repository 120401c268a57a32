// Angular, checked by ngc with strict templates: each template line after an `expect-error` comment must
// have an error, and no other line may.
import { Component, CUSTOM_ELEMENTS_SCHEMA } from '@angular/core';
import 'resumable-upload';

@Component({
  selector: 'app-bad',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <!-- expect-error: upload-progress has no nope in its detail -->
    <resumable-upload (upload-progress)="seen = $event.detail.nope"></resumable-upload>
    <!-- expect-error: the handler takes a number, not the event -->
    <resumable-upload (upload-complete)="takesNumber($event)"></resumable-upload>
    <!-- Not an error: CUSTOM_ELEMENTS_SCHEMA lets any property through on a custom element -->
    <resumable-upload [chunkSise]="1"></resumable-upload>
  `,
})
export class Bad {
  protected seen: unknown;
  protected takesNumber(n: number): number {
    return n;
  }
}
