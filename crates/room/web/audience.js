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
  // The shared lineup, replaced whole by each welcome and `lineup`
  // event (never merged); drawn by the render loop.
  let lineup = { version: 0, items: [], current: null };
  let lineupDirty = false;
  // The product on the pop-up card and what its pop-up said, for
  // products the lineup does not hold.
  let card = null;

  const LANG = navigator.language || 'en';
  const ZH = /^zh/i.test(LANG);
  const T = ZH ? {
    bag: '购物袋', empty: '暂无商品', now: '讲解中', buy: '购买',
    soldOut: '已售罄', stock: (n) => '库存 ' + n,
  } : {
    bag: 'Products', empty: 'No products yet', now: 'Now explaining', buy: 'Buy',
    soldOut: 'Sold out', stock: (n) => n + ' in stock',
  };
  // Only images this server stores (named by their hash); any other
  // URL in a product is ignored.
  const MEDIA_URL = /^\/media\/[0-9a-f]{16,64}\.(?:png|jpg|webp|gif)$/;

  $('room-title').textContent = 'Live room ' + room;
  $('bag-label').textContent = T.bag;
  $('bag-title').textContent = T.bag;
  $('bag-empty').textContent = T.empty;
  $('product-now').textContent = T.now;
  $('product-buy').textContent = T.buy;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function showError(msg) {
    $('error').textContent = msg || '';
    $('bag-error').textContent = msg || '';
  }

  const formats = new Map();
  // Minor units in `currency`, in the page's language.
  function money(minor, currency) {
    let f = formats.get(currency);
    if (f === undefined) {
      try { f = new Intl.NumberFormat(LANG, { style: 'currency', currency }); } catch (_) { f = null; }
      formats.set(currency, f);
    }
    const n = Number(minor);
    if (!f) return (n / 100).toFixed(2) + ' ' + currency;
    return f.format(n / Math.pow(10, f.resolvedOptions().maximumFractionDigits));
  }

  function mediaUrl(u) { return typeof u === 'string' && MEDIA_URL.test(u) ? u : ''; }

  // The product image, or a neutral box when there is none (or it fails).
  function thumb(url) {
    const u = mediaUrl(url);
    const box = el('div', 'placeholder');
    box.dataset.src = '';
    if (!u) return box;
    const img = el('img');
    img.alt = '';
    img.decoding = 'async';
    img.src = u;
    img.dataset.src = u;
    img.addEventListener('error', () => img.replaceWith(box));
    return img;
  }

  function setThumb(holder, url) {
    const now = holder.firstElementChild;
    if (now && now.dataset.src === mediaUrl(url)) return;
    holder.replaceChildren(thumb(url));
  }

  function itemOf(goodsId) {
    return lineup.items.find((i) => i.goods_id === goodsId) || null;
  }

  function itemName(it) { return ZH ? (it.name_zh || it.name_en) : (it.name_en || it.name_zh); }

  function isSoldOut(it) { return Boolean(it.sold_out) || it.state === 'sold_out'; }

  function listPrice(it) {
    return typeof it.list_price === 'number' && it.list_price > it.price ? money(it.list_price, it.currency) : '';
  }

  function setLineup(next, fromEvent) {
    if (!next || !Array.isArray(next.items)) return;
    // Events come in order; a welcome (maybe after a server restart)
    // may carry any version.
    if (fromEvent && next.version < lineup.version) return;
    lineup = next;
    lineupDirty = true;
  }

  function bagRow(it, index, current) {
    const soldOut = isSoldOut(it);
    const li = el('li', 'item');
    li.dataset.goodsId = it.goods_id;
    if (current) li.classList.add('current');
    if (soldOut) li.classList.add('sold-out');
    const media = el('div', 'thumb');
    media.appendChild(thumb(it.image_url));
    media.appendChild(el('span', 'no', index + 1));
    li.appendChild(media);
    const info = el('div', 'info');
    if (current) info.appendChild(el('span', 'now', T.now));
    info.appendChild(el('p', 'name', itemName(it)));
    const prices = el('p', 'prices');
    prices.appendChild(el('span', 'price', money(it.price, it.currency)));
    const list = listPrice(it);
    if (list) prices.appendChild(el('s', 'list-price', list));
    info.appendChild(prices);
    info.appendChild(el('p', 'stock', soldOut ? T.soldOut : T.stock(it.stock)));
    li.appendChild(info);
    const buy = el('button', 'buy', T.buy);
    buy.type = 'button';
    buy.dataset.goodsId = it.goods_id;
    buy.disabled = soldOut;
    li.appendChild(buy);
    return li;
  }

  function renderBag() {
    const cur = lineup.current ? lineup.current.goods_id : null;
    const frag = document.createDocumentFragment();
    lineup.items.forEach((it, i) => frag.appendChild(bagRow(it, i, it.goods_id === cur)));
    $('bag-list').replaceChildren(frag);
    $('bag-count').textContent = String(lineup.items.length);
    $('bag-empty').hidden = lineup.items.length > 0;
  }

  // The card shows the lineup's copy of its product when there is one
  // (image, price, list price; the last one seen once it is removed),
  // else what the pop-up message said. Buy only what the lineup holds.
  function renderCard() {
    if (!card) return;
    const live = itemOf(card.goodsId);
    if (live) card.last = live;
    const it = live || card.last;
    $('product-name').textContent = it ? itemName(it) : card.name;
    $('product-price').textContent = it ? money(it.price, it.currency) : money(card.price, 'CNY');
    const list = it ? listPrice(it) : '';
    $('product-list-price').textContent = list;
    $('product-list-price').hidden = !list;
    setThumb($('product-thumb'), it ? it.image_url : card.image);
    $('product-now').hidden = !(lineup.current && lineup.current.goods_id === card.goodsId);
    const buy = $('product-buy');
    buy.hidden = !live;
    buy.disabled = !live || isSoldOut(live);
    buy.dataset.goodsId = card.goodsId;
  }

  function buy(goodsId) {
    showError('');
    send({ type: 'purchase', goods_id: goodsId, quantity: 1 });
  }

  function openBag(open) {
    $('bag').hidden = !open;
    $('bag-toggle').setAttribute('aria-expanded', String(open));
  }

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
        const it = itemOf(ev.goods_id);
        li.appendChild(el('span', 'msg', 'bought ' + ev.quantity + ' × ' + (it ? itemName(it) : ev.goods_id)));
        return li;
      }
      case 'product_explain': {
        popup(ev.goods_id, ev.start_timestamp, ev.event_id, ev);
        const it = itemOf(ev.goods_id);
        return el('li', 'product', 'Now explaining: ' + (it ? itemName(it) : explainName(ev)));
      }
      case 'lineup': setLineup(ev.lineup, true); return null;
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
  // `p` is the message's product (goods_name…, price in cents, image_url).
  function popup(goodsId, startTs, eventId, p) {
    const key = goodsId + '_' + startTs;
    if (seenPopups.has(key)) return;
    seenPopups.add(key);
    popups += 1;
    const box = $('product-card');
    box.dataset.popups = String(popups);
    box.dataset.eventId = eventId;
    card = { goodsId, name: explainName(p), price: p.price, image: p.image_url, last: null };
    $('product-id').textContent = eventId;
    renderCard();
    box.hidden = false;
  }

  function explainName(p) {
    return (ZH ? p.goods_name_zh : p.goods_name_en) || p.goods_name || '';
  }

  function fromMetadata(value) {
    let p;
    try { p = JSON.parse(value); } catch (_) { return; }
    if (!p || p.status !== 'active' || typeof p.goods_id !== 'string') return;
    popup(p.goods_id, p.start_timestamp, 'attr_' + p.goods_id + '_' + p.start_timestamp, p);
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
    if (lineupDirty) {
      lineupDirty = false;
      renderBag();
      renderCard();
    }
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
        setLineup(msg.lineup, false);
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
  $('product-buy').addEventListener('click', (e) => buy(e.currentTarget.dataset.goodsId));
  $('bag-list').addEventListener('click', (e) => {
    const b = e.target.closest('button.buy');
    if (b && !b.disabled) buy(b.dataset.goodsId);
  });
  $('bag-toggle').addEventListener('click', () => openBag($('bag').hidden));
  $('bag-close').addEventListener('click', () => openBag(false));
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') openBag(false); });
})();
