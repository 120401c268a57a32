// Mounts the Svelte app the page's title names: svelte5 (runes) or svelte4 (the legacy syntax).
import { mount } from 'svelte';
import 'resumable-upload';
import Svelte4 from './svelte4.svelte';
import Svelte5 from './svelte5.svelte';

mount(document.title === 'svelte4' ? Svelte4 : Svelte5, { target: document.getElementById('root')! });
