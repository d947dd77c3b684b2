// Shopcast audience page. Every string from the room is set with
// textContent, never parsed as HTML: barrage is data, not markup.
'use strict';

(function () {
  const room = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  const $ = (id) => document.getElementById(id);
  const MAX_ITEMS = 500;      // seed 004: keep the newest 500
  const RENDER_MS = 300;      // seed 004: render in batches every 300 ms

  let ws = null;
  let token = null;
  let lastSeq = null;
  let nick = '';
  let queue = [];
  const seenPopups = new Set();
  let popups = 0;
  let retry = 500;

  $('room-title').textContent = 'Live room ' + room;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function showError(msg) { $('error').textContent = msg || ''; }

  function senderLine(sender, cls) {
    const li = el('li', cls);
    if (sender) {
      li.appendChild(el('span', 'level', 'Lv' + sender.level));
      for (const b of sender.badges || []) {
        const badge = el('span', 'badge', b.name);
        if (/^#[0-9a-fA-F]{3,8}$/.test(b.color)) badge.style.background = b.color;
        li.appendChild(badge);
      }
      li.appendChild(el('span', 'nick', sender.nick));
    }
    return li;
  }

  function line(ev) {
    switch (ev.type) {
      case 'barrage': {
        const li = senderLine(ev.sender, 'text');
        li.appendChild(el('span', 'msg', ev.text));
        return li;
      }
      case 'gift': {
        const li = senderLine(ev.sender, 'gift');
        li.appendChild(el('span', 'msg', 'sent ' + ev.gift_name + ' ×' + ev.count + ' (combo ' + ev.combo_total + ')'));
        return li;
      }
      case 'like':
        $('likes').textContent = ev.total + ' likes';
        return null;
      case 'follow': {
        const li = senderLine(ev.sender, 'system');
        li.appendChild(el('span', 'msg', 'followed the host'));
        return li;
      }
      case 'purchase': {
        const li = senderLine(ev.sender, 'product');
        li.appendChild(el('span', 'msg', 'bought ' + ev.quantity + ' × ' + ev.goods_id));
        return li;
      }
      case 'product_explain':
        popup(ev.goods_id, ev.start_timestamp, ev.goods_name, ev.price, ev.event_id);
        return el('li', 'product', 'Now explaining: ' + ev.goods_name);
      case 'coupon': return el('li', 'product', 'Coupon: ' + ev.title);
      case 'flash_sale': return el('li', 'product', 'Flash sale on ' + ev.goods_id + ': ' + (ev.price / 100).toFixed(2));
      case 'lucky_draw': return el('li', 'product', 'Lucky draw ' + ev.phase + ': ' + ev.title);
      case 'join': return el('li', 'system', ev.user.nick + ' joined');
      case 'leave': return el('li', 'system', ev.user.nick + ' left');
      case 'mute': return el('li', 'system', ev.until ? ev.user_id + ' was muted' : ev.user_id + ' was unmuted');
      case 'kick': return el('li', 'system', ev.user_id + ' was removed');
      case 'room_status': setStatus(ev.status); return el('li', 'system', 'Room is ' + ev.status);
      case 'announcement': setAnnouncement(ev.text); return null;
      case 'broadcast': $('broadcast').hidden = false; $('broadcast').textContent = ev.text; return null;
      case 'gift_list_changed': setGifts(ev.gifts); return null;
      case 'online_count': $('online').textContent = ev.online + ' online'; return null;
      case 'metadata':
        if (ev.key === 'current_product' && ev.value) fromMetadata(ev.value);
        return null;
      default: return null;
    }
  }

  // One pop-up per event, whichever channel brings it first: the custom
  // message (evt_{goods}_{ts}) or the metadata (attr_{goods}_{ts}).
  function popup(goodsId, startTs, name, price, eventId) {
    const key = goodsId + '_' + startTs;
    if (seenPopups.has(key)) return;
    seenPopups.add(key);
    popups += 1;
    const card = $('product-card');
    card.dataset.popups = String(popups);
    card.dataset.eventId = eventId;
    $('product-name').textContent = name;
    $('product-price').textContent = '¥' + (Number(price) / 100).toFixed(2);
    $('product-id').textContent = eventId;
    card.hidden = false;
  }

  function fromMetadata(value) {
    let p;
    try { p = JSON.parse(value); } catch (_) { return; }
    if (!p || p.status !== 'active' || typeof p.goods_id !== 'string') return;
    popup(p.goods_id, p.start_timestamp, p.goods_name, p.price, 'attr_' + p.goods_id + '_' + p.start_timestamp);
  }

  function setStatus(s) {
    $('status').textContent = s;
    $('status').className = 'status ' + s;
  }

  function setAnnouncement(t) {
    $('announcement').hidden = !t;
    $('announcement').textContent = t || '';
  }

  function setGifts(gifts) {
    const box = $('gifts');
    box.replaceChildren();
    for (const g of gifts) {
      const b = el('button', 'gift-button', g.name + ' (' + g.value + ')');
      b.type = 'button';
      b.dataset.gift = g.id;
      b.addEventListener('click', () => send({ type: 'gift', gift_id: g.id, count: 1 }));
      box.appendChild(b);
    }
  }

  function render() {
    if (queue.length === 0) return;
    const list = $('barrage');
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    const frag = document.createDocumentFragment();
    for (const li of queue) frag.appendChild(li);
    queue = [];
    list.appendChild(frag);
    while (list.childElementCount > MAX_ITEMS) list.firstElementChild.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
  setInterval(render, RENDER_MS);

  function onMessage(msg) {
    switch (msg.type) {
      case 'welcome':
        retry = 500;
        $('join-form').hidden = true;
        $('room').hidden = false;
        setStatus(msg.status);
        setAnnouncement(msg.announcement);
        setGifts(msg.gifts);
        $('online').textContent = msg.online + ' online';
        $('likes').textContent = msg.like_total + ' likes';
        if (lastSeq === null || msg.resume === 'snapshot') lastSeq = msg.seq;
        if (msg.metadata.entries.current_product) fromMetadata(msg.metadata.entries.current_product);
        break;
      case 'batch':
        for (const ev of msg.events) {
          if (typeof ev.seq === 'number') {
            if (lastSeq !== null && ev.seq <= lastSeq) continue;  // already seen
            lastSeq = ev.seq;
          }
          const li = line(ev);
          if (li) queue.push(li);
        }
        if (msg.skipped) $('skipped').textContent = msg.skipped + ' messages skipped (busy room)';
        break;
      case 'error':
        showError(msg.message);
        break;
      default:
        break;
    }
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = proto + '//' + location.host + '/ws/' + encodeURIComponent(room) +
      '?token=' + encodeURIComponent(token) + '&nick=' + encodeURIComponent(nick);
    if (lastSeq !== null) url += '&last_seq=' + lastSeq;
    ws = new WebSocket(url);
    ws.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch (_) { return; }
      onMessage(msg);
    };
    ws.onclose = (e) => {
      ws = null;
      if (e.code === 4001 || e.code === 4003) { showError('Disconnected: ' + e.reason); return; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  function send(obj) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
    else showError('Not connected');
  }

  $('join-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    nick = $('nick').value.trim();
    if (!nick) return;
    showError('');
    const r = await fetch('/api/guest-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room, nick }),
    });
    const body = await r.json();
    if (!r.ok) { showError(body.message || 'could not join'); return; }
    token = body.token;
    connect();
  });

  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    send({ type: 'barrage', text });
    $('text').value = '';
  });
  $('like').addEventListener('click', () => send({ type: 'like', count: 1 }));
  $('product-close').addEventListener('click', () => { $('product-card').hidden = true; });
})();
