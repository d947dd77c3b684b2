// Edits to the scene list as plain functions: each returns a new
// `Scenes` for the session to check and save (`set_scenes`). The rules
// (how many, which ranges) are the session's; these only rearrange.

import type { Layer, Scene, Scenes } from '../ipc';

function mapScene(scenes: Scenes, id: string, f: (s: Scene) => Scene): Scenes {
  return { ...scenes, list: scenes.list.map((s) => (s.id === id ? f(s) : s)) };
}

/** One layer changed by `patch` (its `source` included). */
export function patchLayer(scenes: Scenes, scene: string, layer: string, patch: Partial<Layer>): Scenes {
  return mapScene(scenes, scene, (s) => ({
    ...s,
    layers: s.layers.map((l) => (l.id === layer ? { ...l, ...patch } : l)),
  }));
}

export function removeLayer(scenes: Scenes, scene: string, layer: string): Scenes {
  return mapScene(scenes, scene, (s) => ({ ...s, layers: s.layers.filter((l) => l.id !== layer) }));
}

/** Moves a layer one step up (+1, drawn later, so on top) or down (-1). */
export function restack(scenes: Scenes, scene: string, layer: string, step: 1 | -1): Scenes {
  return mapScene(scenes, scene, (s) => {
    const i = s.layers.findIndex((l) => l.id === layer);
    const j = i + step;
    if (i < 0 || j < 0 || j >= s.layers.length) return s;
    const layers = [...s.layers];
    [layers[i], layers[j]] = [layers[j]!, layers[i]!];
    return { ...s, layers };
  });
}

/** An empty scene named `name`, with the first free id, made active. */
export function addScene(scenes: Scenes, name: string): Scenes {
  const ids = new Set(scenes.list.map((s) => s.id));
  let n = 1;
  while (ids.has(`scene-${n}`)) n++;
  const id = `scene-${n}`;
  return { ...scenes, list: [...scenes.list, { id, name, starter: null, layers: [] }], active: id };
}

/** Removes a scene (never the last one); the first left becomes active
 *  if it was. */
export function removeScene(scenes: Scenes, id: string): Scenes {
  const list = scenes.list.filter((s) => s.id !== id);
  if (list.length === 0) return scenes;
  const active = scenes.active === id ? list[0]!.id : scenes.active;
  return { ...scenes, list, active };
}

export function renameScene(scenes: Scenes, id: string, name: string): Scenes {
  return mapScene(scenes, id, (s) => ({ ...s, name }));
}
