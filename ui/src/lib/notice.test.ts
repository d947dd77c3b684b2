import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../i18n';
import type { NoticeView } from '../ipc';
import { noticeText } from './notice';

const noMic: NoticeView = { id: 1, notice: { code: 'no_microphone' }, text: 'no microphone found: …' };
const preview: NoticeView = {
  id: 2,
  notice: { code: 'preview_did_not_start', params: { reason: 'no camera with id v4l2:/dev/video9' } },
  text: 'the preview did not start: no camera with id v4l2:/dev/video9',
};

describe('session notices', () => {
  afterEach(() => setLanguage('en'));

  it('are worded in the window’s language, with their parameters', () => {
    setLanguage('zh-CN');
    expect(noticeText(noMic)).toBe('未找到麦克风：选择麦克风之前，直播中为静音。');
    expect(noticeText(preview)).toBe('预览未能启动：no camera with id v4l2:/dev/video9');
    setLanguage('ko');
    expect(noticeText(noMic)).toContain('마이크');
    setLanguage('en');
    expect(noticeText(preview)).toBe('The preview did not start: no camera with id v4l2:/dev/video9');
  });
});
