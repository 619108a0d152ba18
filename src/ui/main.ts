// Entry point of the web UI bundle: mounts the app into the page the server serves at `/`.

import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { App } from './app.js';
import { html } from './html.js';

const root = document.getElementById('app');
if (root !== null) render(html`<${App} />`, root);
