// Entry point: styles (dockview's, lifted out of the package at build
// time, uPlot's, then ours) and the app.

import 'virtual:dockview.css';
// uPlot's own stylesheet, bundled with ours (the report chart loads its code later).
import 'uplot/dist/uPlot.min.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/panels.css';
import './styles/products.css';
import './styles/report.css';
import { startApp } from './app';

const root = document.getElementById('app');
if (root) {
  startApp(root).catch((e: unknown) => {
    // Startup failures are shown, never swallowed.
    const p = document.createElement('p');
    p.className = 'fatal';
    p.textContent = `Shopcast Studio could not start: ${e instanceof Error ? e.message : String(e)}`;
    root.appendChild(p);
  });
}
