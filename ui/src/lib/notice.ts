// A session warning in the window's language: the Rust side sends a code
// with its parameters (`Notice`), and each code has words in every
// catalogue (the compiler checks that `notice.<code>` is a key).

import { t, type MessageKey } from '../i18n';
import type { Notice, NoticeView } from '../ipc';

type NoticeKey = `notice.${Notice['code']}`;

export function noticeText(view: NoticeView): string {
  const n = view.notice;
  const key: NoticeKey & MessageKey = `notice.${n.code}`;
  const params = 'params' in n ? (n.params as Record<string, string>) : undefined;
  return t(key, params);
}
