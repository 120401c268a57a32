// Vue 3: the single-file component in vue-app.vue, compiled by @vue/compiler-sfc with `isCustomElement`
// for the tag (as an app's Vite config does), mounted here.
import { createApp } from 'vue';
import 'resumable-upload';
import App from './vue-app.vue';

createApp(App).mount('#root');
