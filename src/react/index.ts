// `resumable-upload/react`: a component for React 18, which sets every prop of a custom element as an
// attribute and can't listen to its events, and the JSX typings of <resumable-upload> for React 19, which
// needs no wrapper (`import type {} from 'resumable-upload/react'` takes the typings alone).
import React, { type DetailedHTMLProps, type HTMLAttributes } from 'react';
import { createComponent, type EventName } from '@lit/react';
import { ResumableUpload as ResumableUploadElement } from '../element/resumable-upload.js';
import '../element/define.js';
import type {
  ResumableUploadCamelEventProps,
  ResumableUploadEventMap,
  ResumableUploadEventProps,
  ResumableUploadProperties,
} from '../frameworks/types.js';

type Named<K extends keyof ResumableUploadEventMap> = K & EventName<ResumableUploadEventMap[K]>;
const event = <K extends keyof ResumableUploadEventMap>(name: K) => name as Named<K>;

const events = {
  onUploadAdd: event('upload-add'),
  onUploadStart: event('upload-start'),
  onUploadProgress: event('upload-progress'),
  onUploadPause: event('upload-pause'),
  onUploadResume: event('upload-resume'),
  onUploadRetry: event('upload-retry'),
  onUploadComplete: event('upload-complete'),
  onUploadError: event('upload-error'),
  onUploadCancel: event('upload-cancel'),
  onQueueComplete: event('queue-complete'),
  onFileReject: event('file-reject'),
} satisfies Required<{ [P in keyof ResumableUploadCamelEventProps]: string }>;

/**
 * `<ResumableUpload uploadUrl="/upload" onUploadComplete={(e) => e.detail.fileId} />`: properties are set
 * as properties, `on` + PascalCase event props become listeners. A ref gives the element itself.
 */
export const ResumableUpload = createComponent({
  react: React,
  tagName: 'resumable-upload',
  elementClass: ResumableUploadElement,
  events,
  displayName: 'ResumableUpload',
});

/** The props of <resumable-upload> in React 19 JSX: properties by name, listeners as `onupload-progress`. */
export type ResumableUploadJSXProps = DetailedHTMLProps<
  HTMLAttributes<ResumableUploadElement>,
  ResumableUploadElement
> &
  ResumableUploadProperties &
  ResumableUploadEventProps<'on'>;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'resumable-upload': ResumableUploadJSXProps;
    }
  }
}
