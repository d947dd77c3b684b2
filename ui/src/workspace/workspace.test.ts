import { describe, expect, it } from 'vitest';
import { PANEL_IDS, panelTitle } from '../lib/layout';
import { PANELS } from './workspace';

describe('the panels', () => {
  it('are titled panel.<id>, which the toolbar names them by without loading the dock', () => {
    for (const id of PANEL_IDS) expect(PANELS[id].title).toBe(panelTitle(id));
  });
});
