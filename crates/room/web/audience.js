// Shopcast audience page. Every string from the room is set with
// textContent, never parsed as HTML: barrage is data, not markup.
'use strict';

(function () {
  const room = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
  const $ = (id) => document.getElementById(id);
  // Filled in by the server from the protocol's own constant.
  const PROTOCOL_VERSION = __PROTOCOL_VERSION__;
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
  // Activities as the server last sent them (welcome, then `activity`
  // events), by id. The server decides every claim, sale and draw; the
  // page only shows them and asks.
  const activities = new Map();
  let actsDirty = false;
  // What this viewer's last request on an activity came to, by id.
  const mine = new Map();
  // Requests waiting for their action_reply: op_id → what they were.
  const ops = new Map();
  const opPrefix = 'w' + Math.random().toString(36).slice(2, 10);
  let opCount = 0;
  // Server clock minus ours, from event timestamps: the largest seen,
  // as an event is never received before it was sent.
  let skew = null;
  let me = null;
  let followed = false;
  const ENDED_SHOWN_MS = 10000;   // a sold-out coupon or sale lingers
  const DRAWS_SHOWN = 3;          // ended draws and bags, with winners
  const DRAWN = new Set(['draw', 'lucky_bag']);

  const LANG = navigator.language || 'en';
  const ZH = /^zh/i.test(LANG);
  const T = ZH ? {
    bag: '购物袋', empty: '暂无商品', now: '讲解中', buy: '购买',
    soldOut: '已售罄', stock: (n) => '库存 ' + n,
    coupon: '优惠券', flash_sale: '限时秒杀', draw: '抽奖', lucky_bag: '福袋',
    claim: '领取', join: '参与', send: '发送', follow: '+ 关注', following: '已关注',
    off: (x) => '立减 ' + x, pct: (p) => ((100 - p) / 10) + ' 折',
    minSpend: (x) => '满 ' + x + ' 可用', noMin: '无门槛',
    left: (n, q) => '剩余 ' + n + '/' + q,
    sendKw: (k) => '发送「' + k + '」参与', followJoin: '关注主播后参与',
    entered: (n) => n + ' 人参与', winners: (n) => n + ' 个名额',
    pool: (x, n) => n + ' 人瓜分 ' + x, noWinners: '无人参与', winnersLabel: '中奖名单',
    commitment: '承诺', seed: '种子', verify: '任何人都可以验证本次抽奖：',
    claimed: '已领取 ✓', bought: '已抢到 ✓', joined: '已参与 ✓',
    ended: '已结束', limit: '已达上限',
  } : {
    bag: 'Products', empty: 'No products yet', now: 'Now explaining', buy: 'Buy',
    soldOut: 'Sold out', stock: (n) => n + ' in stock',
    coupon: 'Coupon', flash_sale: 'Flash sale', draw: 'Lucky draw', lucky_bag: 'Lucky bag',
    claim: 'Claim', join: 'Join', send: 'Send', follow: '+ Follow', following: 'Following',
    off: (x) => x + ' off', pct: (p) => p + '% off',
    minSpend: (x) => 'on orders over ' + x, noMin: 'no minimum spend',
    left: (n, q) => n + ' of ' + q + ' left',
    sendKw: (k) => 'Send “' + k + '” to enter', followJoin: 'Follow the host, then join',
    entered: (n) => n + ' entered', winners: (n) => n + (n === 1 ? ' winner' : ' winners'),
    pool: (x, n) => x + ' shared by ' + n, noWinners: 'No entries', winnersLabel: 'Winners',
    commitment: 'Commitment', seed: 'Seed', verify: 'Anyone can check this draw: ',
    claimed: 'Claimed ✓', bought: 'Bought ✓', joined: 'Joined ✓',
    ended: 'Ended', limit: 'Limit reached',
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
  $('follow').textContent = T.follow;

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
    // Counted once per pop-up, and only for a product the room sells
    // (the server refuses any other).
    if (live && !card.viewed) {
      card.viewed = true;
      send({ type: 'card_view', goods_id: card.goodsId });
    }
    const buy = $('product-buy');
    buy.hidden = !live;
    buy.disabled = !live || isSoldOut(live);
    buy.dataset.goodsId = card.goodsId;
  }

  // Sends a request the server answers with an action_reply naming
  // its op_id; `what` says what the answer is for.
  function request(msg, what) {
    msg.op_id = opPrefix + '-' + (++opCount);
    if (!send(msg)) return;
    ops.set(msg.op_id, what);
    // Answers lost with a connection never come: forget the oldest.
    if (ops.size > 100) ops.delete(ops.keys().next().value);
  }

  function buy(goodsId) {
    showError('');
    request({ type: 'buy', goods_id: goodsId, quantity: 1 }, {});
  }

  function cardClick() {
    if (card && itemOf(card.goodsId)) send({ type: 'card_click', goods_id: card.goodsId });
  }

  function onReply(msg) {
    const what = ops.get(msg.op_id);
    if (!what) return;
    ops.delete(msg.op_id);
    const ok = msg.status === 'done';
    if (!what.activity) {
      if (!ok) showError(msg.reason);
      return;
    }
    let text = what.done;
    if (!ok) {
      text = msg.code === 'sold_out' ? T.soldOut
        : msg.code === 'limit_exceeded' ? T.limit
        : msg.code === 'ended' ? T.ended : msg.reason;
    }
    mine.set(what.activity, { ok, text });
    actsDirty = true;
  }

  function serverNow() { return Date.now() + (skew || 0); }

  function clock(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const two = (n) => String(n).padStart(2, '0');
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return (h ? h + ':' + two(m) : two(m)) + ':' + two(s % 60);
  }

  // Events replayed after a reconnect may be older than the welcome
  // that came before them: an ended activity never runs again, and
  // counts only grow.
  function setActivity(a) {
    if (!a || typeof a.id !== 'string' || !a.spec) return;
    const had = activities.get(a.id);
    if (had && (had.phase === 'ended' ? a.phase !== 'ended' : a.phase === had.phase && a.taken < had.taken)) return;
    activities.set(a.id, a);
    actsDirty = true;
  }

  // Running activities, newest first; then coupons and sales that just
  // ended; then the newest drawn draws and bags. The rest is dropped.
  function shownActivities() {
    const now = serverNow();
    const newest = (x, y) => y.created_at - x.created_at;
    const all = [...activities.values()];
    const running = all.filter((a) => a.phase === 'running').sort(newest);
    const ended = all.filter((a) => a.phase !== 'running');
    const recent = ended.filter((a) => !DRAWN.has(a.spec.kind) && now - (a.ended_at || 0) < ENDED_SHOWN_MS);
    const drawn = ended.filter((a) => DRAWN.has(a.spec.kind)).sort(newest).slice(0, DRAWS_SHOWN);
    const shown = running.concat(recent, drawn);
    for (const a of ended) if (!shown.includes(a)) activities.delete(a.id);
    return shown;
  }

  function actButton(label, act, enabled) {
    const b = el('button', act === 'keyword' ? 'send-kw' : 'buy', label);
    b.type = 'button';
    b.dataset.act = act;
    b.disabled = !enabled;
    return b;
  }

  function foot(box, left, button) {
    const f = el('div', 'act-foot');
    f.appendChild(el('span', 'remaining', left));
    if (button) f.appendChild(button);
    box.appendChild(f);
  }

  // A draw's or bag's entries, commitment, and once drawn its winners,
  // seed and how to check them.
  function drawInfo(box, a, running) {
    if (running) {
      box.appendChild(el('p', 'hash', T.commitment + ' ' + (a.commitment || '')));
      return;
    }
    const list = el('ol', 'winners');
    for (const w of a.winners) {
      const li = el('li', 'winner', w.nick || w.user_id);
      if (w.amount && a.spec.currency) li.appendChild(el('span', 'amount', ' ' + money(w.amount, a.spec.currency)));
      list.appendChild(li);
    }
    if (a.winners.length) {
      box.appendChild(el('p', 'muted', T.winnersLabel));
      box.appendChild(list);
    } else {
      box.appendChild(el('p', 'muted', T.noWinners));
    }
    box.appendChild(el('p', 'hash', T.seed + ' ' + (a.seed || '')));
    const v = el('p', 'verify', T.verify);
    v.appendChild(el('code', '', 'shopcast draw verify --room ' + location.origin + '/r/' + room + ' --id ' + a.id));
    box.appendChild(v);
  }

  function activityCard(a) {
    const s = a.spec;
    const running = a.phase === 'running';
    const box = el('article', 'activity ' + s.kind);
    box.dataset.activityId = a.id;
    box.dataset.phase = a.phase;
    const head = el('div', 'act-head');
    head.appendChild(el('span', 'tag', T[s.kind] || s.kind));
    const when = el('span', 'countdown', running ? '' : (a.end_reason === 'sold_out' ? T.soldOut : T.ended));
    if (running) when.dataset.endsAt = String(a.ends_at);
    head.appendChild(when);
    box.appendChild(head);
    const left = a.remaining === null || a.remaining === undefined ? '' : T.left(a.remaining, s.quantity);
    const open = running && a.remaining !== 0;
    switch (s.kind) {
      case 'coupon': {
        box.appendChild(el('h3', 'title', s.title));
        const d = s.discount.type === 'percent' ? T.pct(s.discount.percent) : T.off(money(s.discount.minor, s.currency));
        box.appendChild(el('p', 'big', d));
        box.appendChild(el('p', 'muted', s.min_spend ? T.minSpend(money(s.min_spend, s.currency)) : T.noMin));
        foot(box, left, actButton(T.claim, 'claim', open));
        break;
      }
      case 'flash_sale': {
        const it = itemOf(s.goods_id);
        const currency = it ? it.currency : 'CNY';
        box.appendChild(el('h3', 'title', it ? itemName(it) : s.goods_id));
        const prices = el('p', 'prices');
        prices.appendChild(el('span', 'price big', money(s.price, currency)));
        if (it && it.price > s.price) prices.appendChild(el('s', 'list-price', money(it.price, currency)));
        box.appendChild(prices);
        foot(box, left, actButton(T.buy, 'sale', open && Boolean(it)));
        break;
      }
      case 'draw':
      case 'lucky_bag': {
        box.appendChild(el('h3', 'title', s.prize));
        if (s.kind === 'lucky_bag') {
          box.appendChild(el('p', 'muted', s.pool ? T.pool(money(s.pool, s.currency), s.winners) : T.winners(s.winners)));
        }
        const kw = s.kind === 'draw' ? s.keyword : (s.condition.type === 'keyword' ? s.condition.keyword : null);
        let button = null;
        if (running && kw) {
          box.appendChild(el('p', 'how', T.sendKw(kw)));
          button = actButton(T.send, 'keyword', true);
        } else if (running) {
          box.appendChild(el('p', 'how', T.followJoin));
          button = actButton(T.join, 'enter', true);
        }
        drawInfo(box, a, running);
        foot(box, T.entered(a.people), button);
        break;
      }
      default:
        return null;
    }
    const note = mine.get(a.id);
    if (note) box.appendChild(el('p', note.ok ? 'mine ok' : 'mine', note.text));
    return box;
  }

  // What a card shows apart from its counts (and its countdown, which
  // `tick` fills in): when only counts move, the card is patched, so a
  // button being pressed stays the same element.
  function signature(box) {
    const rem = box.querySelector('.remaining');
    const counts = rem.textContent;
    rem.textContent = '';
    const disabled = [...box.querySelectorAll('button')].map((b) => b.disabled).join();
    const sig = box.dataset.activityId + '|' + box.textContent + '|' + disabled;
    rem.textContent = counts;
    return sig;
  }

  function renderActivities() {
    const area = $('activities');
    const cards = shownActivities().map(activityCard).filter(Boolean);
    const old = [...area.children];
    const sigs = cards.map(signature);
    if (old.length === cards.length && old.every((c, i) => c.dataset.sig === sigs[i])) {
      old.forEach((c, i) => {
        c.querySelector('.remaining').textContent = cards[i].querySelector('.remaining').textContent;
      });
    } else {
      cards.forEach((c, i) => { c.dataset.sig = sigs[i]; });
      area.replaceChildren(...cards);
    }
    area.hidden = cards.length === 0;
    tick();
  }

  // Countdowns, on the server's clock; an ended coupon or sale goes
  // once it has lingered.
  function tick() {
    const now = serverNow();
    for (const c of $('activities').querySelectorAll('.countdown[data-ends-at]')) {
      c.textContent = clock(Number(c.dataset.endsAt) - now);
    }
    for (const a of activities.values()) {
      if (a.phase !== 'running' && !DRAWN.has(a.spec.kind) && now - (a.ended_at || 0) >= ENDED_SHOWN_MS) {
        actsDirty = true;
      }
    }
  }

  function actLine(ev) {
    const a = ev.activity;
    setActivity(a);
    if (!a || !a.spec) return null;
    const s = a.spec;
    const it = s.kind === 'flash_sale' ? itemOf(s.goods_id) : null;
    const what = (T[s.kind] || s.kind) + ': ' + (s.title || s.prize || (it ? itemName(it) : s.goods_id));
    if (ev.change === 'started') return el('li', 'product', what);
    if (ev.change === 'ended' && DRAWN.has(s.kind)) {
      const names = a.winners.map((w) => w.nick || w.user_id).join(', ');
      return el('li', 'product', what + ' → ' + (names || T.noWinners));
    }
    return null;
  }

  function setFollowed() {
    followed = true;
    $('follow').textContent = T.following;
    $('follow').disabled = true;
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
        if (me && ev.sender && ev.sender.id === me.id) setFollowed();
        const li = senderLine(ev.sender, 'system');
        li.appendChild(el('span', 'msg', 'followed the host'));
        return li;
      }
      case 'purchase': {
        const li = senderLine(ev.sender, 'product');
        const o = ev.order || {};
        const it = itemOf(o.goods_id);
        const name = it ? itemName(it) : o.goods_id;
        li.appendChild(el('span', 'msg', 'bought ' + o.quantity + ' × ' + name + (o.sale_id ? ' ⚡' : '')));
        return li;
      }
      case 'product_explain': {
        popup(ev.goods_id, ev.start_timestamp, ev.event_id, ev);
        const it = itemOf(ev.goods_id);
        return el('li', 'product', 'Now explaining: ' + (it ? itemName(it) : explainName(ev)));
      }
      case 'lineup': setLineup(ev.lineup, true); return null;
      case 'activity': return actLine(ev);
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
    card = { goodsId, name: explainName(p), price: p.price, image: p.image_url, last: null, viewed: false };
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
      actsDirty = true;   // sale cards show lineup names and prices
    }
    if (actsDirty) {
      actsDirty = false;
      renderActivities();
    } else {
      tick();
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
        me = msg.you;
        // The server's clock at send time: countdowns are right from
        // the first frame (events then only ever move it forward).
        skew = typeof msg.now === 'number' ? msg.now - Date.now() : null;
        activities.clear();
        for (const a of msg.activities || []) setActivity(a);
        actsDirty = true;
        setLineup(msg.lineup, false);
        if (msg.metadata.entries.current_product) fromMetadata(msg.metadata.entries.current_product);
        break;
      case 'batch':
        for (const ev of msg.events) {
          if (typeof ev.ts === 'number' && (skew === null || ev.ts - Date.now() > skew)) skew = ev.ts - Date.now();
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
      case 'action_reply':
        onReply(msg);
        break;
      default:
        break;
    }
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // The token goes in the first frame, not the URL: URLs end up in
    // proxy and server access logs.
    ws = new WebSocket(proto + '//' + location.host + '/ws/' + encodeURIComponent(room));
    ws.onopen = () => {
      const hello = { type: 'hello', v: PROTOCOL_VERSION, token, nick };
      if (lastSeq !== null) hello.last_seq = lastSeq;
      ws.send(JSON.stringify(hello));
    };
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
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(obj)); return true; }
    showError('Not connected');
    return false;
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
  $('follow').addEventListener('click', () => { if (!followed && send({ type: 'follow' })) setFollowed(); });
  $('product-close').addEventListener('click', () => { $('product-card').hidden = true; });
  $('product-buy').addEventListener('click', (e) => { cardClick(); buy(e.currentTarget.dataset.goodsId); });
  // Opening the card shows the product in the bag.
  $('product-card').addEventListener('click', (e) => {
    if (e.target.closest('button') || !card || !itemOf(card.goodsId)) return;
    cardClick();
    openBag(true);
  });
  $('activities').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-act]');
    const a = b && !b.disabled ? activities.get(b.closest('.activity').dataset.activityId) : null;
    if (!a) return;
    showError('');
    const s = a.spec;
    switch (b.dataset.act) {
      case 'claim': request({ type: 'claim', activity_id: a.id }, { activity: a.id, done: T.claimed }); break;
      case 'sale':
        request({ type: 'buy', goods_id: s.goods_id, quantity: 1, sale_id: a.id }, { activity: a.id, done: T.bought });
        break;
      case 'enter': request({ type: 'enter', activity_id: a.id }, { activity: a.id, done: T.joined }); break;
      case 'keyword': send({ type: 'barrage', text: s.keyword || s.condition.keyword }); break;
      default: break;
    }
  });
  $('bag-list').addEventListener('click', (e) => {
    const b = e.target.closest('button.buy');
    if (b && !b.disabled) buy(b.dataset.goodsId);
  });
  $('bag-toggle').addEventListener('click', () => openBag($('bag').hidden));
  $('bag-close').addEventListener('click', () => openBag(false));
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') openBag(false); });
})();
