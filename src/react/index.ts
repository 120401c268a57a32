// `resumable-upload/react`: a component for React 18, which sets every prop of a custom element as an
// attribute and can't listen to its events, and the JSX typings of <resumable-upload> for React 19, which
// needs no wrapper (`import type {} from 'resumable-upload/react'` takes the typings alone).
import React, { type DetailedHTMLProps, type HTMLAttributes } from 'react';
import { createComponent, type EventName } from '@lit/react';
import { ResumableUpload as ResumableUploadElement } from '../element/resumable-upload.js';
import '../element/define.js';
import { RESUMABLE_UPLOAD_EVENT_NAMES } from '../element/events.js';
import type {
  ResumableUploadCamelEventProps,
  ResumableUploadEventMap,
  ResumableUploadEventName,
  ResumableUploadEventProps,
  ResumableUploadProperties,
  Pascal,
} from '../frameworks/types.js';

type Named<K extends ResumableUploadEventName> = K & EventName<ResumableUploadEventMap[K]>;

/** `upload-progress` -> `onUploadProgress`, as @lit/react names the listener prop. */
const propName = (name: string) =>
  'on' + name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase());

// From the element's one list of names, which the compiler checks against its event map.
const events = Object.fromEntries(RESUMABLE_UPLOAD_EVENT_NAMES.map((name) => [propName(name), name])) as {
  [K in ResumableUploadEventName as `on${Pascal<K>}`]: Named<K>;
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
