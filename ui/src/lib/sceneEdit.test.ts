import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../ipc';
import { addScene, patchLayer, removeLayer, removeScene, renameScene, restack } from './sceneEdit';

const scenes = DEFAULT_SETTINGS.scenes;
const brb = () => scenes.list.find((s) => s.id === 'brb')!;

describe('scene edits', () => {
  it('restacks, hides and removes layers without touching other scenes', () => {
    const [picture, caption, card] = brb().layers.map((l) => l.id);
    const up = restack(scenes, 'brb', picture!, 1);
    expect(up.list.find((s) => s.id === 'brb')!.layers.map((l) => l.id)).toEqual([caption, picture, card]);
    expect(restack(scenes, 'brb', card!, 1)).toEqual(scenes);
    expect(restack(scenes, 'brb', picture!, -1)).toEqual(scenes);
    const hidden = patchLayer(scenes, 'brb', caption!, { visible: false });
    expect(hidden.list.find((s) => s.id === 'brb')!.layers[1]!.visible).toBe(false);
    expect(hidden.list.filter((s) => s.id !== 'brb')).toEqual(scenes.list.filter((s) => s.id !== 'brb'));
    expect(removeLayer(scenes, 'brb', picture!).list.find((s) => s.id === 'brb')!.layers.map((l) => l.id)).toEqual([caption, card]);
    expect(scenes.list.find((s) => s.id === 'brb')!.layers.length, 'the input is left as it was').toBe(3);
  });

  it('adds a scene with a free id, renames it, and never removes the last', () => {
    const one = addScene(scenes, 'Close-up');
    const two = addScene(one, 'Unboxing');
    expect(two.list.map((s) => s.id).slice(-2)).toEqual(['scene-1', 'scene-2']);
    expect(two.active).toBe('scene-2');
    expect(renameScene(two, 'scene-1', 'Detail').list.find((s) => s.id === 'scene-1')!.name).toBe('Detail');
    const gone = removeScene(two, 'scene-2');
    expect(gone.active).toBe(gone.list[0]!.id);
    let last = scenes;
    for (const s of scenes.list.slice(1)) last = removeScene(last, s.id);
    expect(last.list.length).toBe(1);
    expect(removeScene(last, last.list[0]!.id)).toEqual(last);
  });
});
