// Qiaoyi's own script. Every page works without it; it only adds what a form cannot do alone.
(function () {
  'use strict';

  // A form that came back with errors: move focus to their summary, so a screen reader reads it
  // first and a keyboard user starts from its links.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // The header's buttons on a phone: each opens what it controls (the languages, the menu). The
  // stylesheet collapses those only once this class says the buttons work.
  document.documentElement.classList.add('js');
  document.querySelectorAll('.header-toggle').forEach(function (button) {
    var target = document.getElementById(button.getAttribute('aria-controls'));
    button.addEventListener('click', function () {
      var open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      target.classList.toggle('open', open);
    });
  });

  // Tables on a phone become stacked cards: each cell is labelled with its column's heading (the
  // stylesheet shows the label where the table no longer has columns).
  document.querySelectorAll('table').forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    // Roles keep the table a table for screen readers once its rows are laid out as blocks.
    table.classList.add('stacks');
    table.setAttribute('role', 'table');
    table.querySelectorAll('tr').forEach(function (row) { row.setAttribute('role', 'row'); });
    table.querySelectorAll('thead th').forEach(function (th) { th.setAttribute('role', 'columnheader'); });
    table.querySelectorAll('tbody tr').forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        cell.setAttribute('role', cell.tagName === 'TH' ? 'rowheader' : 'cell');
        if (heads[i] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', heads[i]);
      });
    });
  });

  // The signature pad of a home delivery: strokes drawn on the canvas become the hidden
  // `signature` field, as `x,y` points on a 600 × 200 pad, points separated by spaces and strokes
  // by `|` (the form the server checks).
  var W = 600, H = 200, MAX_POINTS = 4000;
  document.querySelectorAll('[data-signature-pad]').forEach(function (pad) {
    var canvas = pad.querySelector('canvas');
    var field = pad.querySelector('input[name=signature]');
    var ctx = canvas.getContext('2d');
    var strokes = [];
    var current = null;
    var points = 0;
    pad.hidden = false;

    function pen() {
      ctx.lineWidth = 3;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.strokeStyle = '#111';
    }
    function at(e) {
      var r = canvas.getBoundingClientRect();
      var x = Math.round((e.clientX - r.left) * W / r.width);
      var y = Math.round((e.clientY - r.top) * H / r.height);
      return [Math.min(W, Math.max(0, x)), Math.min(H, Math.max(0, y))];
    }
    function save() {
      field.value = strokes.map(function (s) {
        return s.map(function (p) { return p[0] + ',' + p[1]; }).join(' ');
      }).join('|');
    }
    pen();
    canvas.addEventListener('pointerdown', function (e) {
      if (points >= MAX_POINTS) return;
      e.preventDefault();
      canvas.setPointerCapture(e.pointerId);
      current = [at(e)];
      points += 1;
      strokes.push(current);
      ctx.beginPath();
      ctx.moveTo(current[0][0], current[0][1]);
    });
    canvas.addEventListener('pointermove', function (e) {
      if (!current || points >= MAX_POINTS) return;
      var p = at(e);
      var last = current[current.length - 1];
      if (p[0] === last[0] && p[1] === last[1]) return;
      current.push(p);
      points += 1;
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    });
    function end() {
      current = null;
      save();
    }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    pad.querySelector('[data-clear]').addEventListener('click', function () {
      strokes = [];
      current = null;
      points = 0;
      ctx.clearRect(0, 0, W, H);
      save();
    });
  });

  // Search as one types: the first matches under the question box, as links. The page's own
  // search (the form's submit) works without this.
  document.querySelectorAll('input[data-suggest]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute('data-suggest'));
    var timer = null;
    var asked = '';
    function show(results) {
      list.textContent = '';
      if (!results.length) return;
      var ul = document.createElement('ul');
      results.forEach(function (r) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = r.path;
        a.textContent = r.title;
        li.appendChild(a);
        ul.appendChild(li);
      });
      list.appendChild(ul);
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { show([]); return; }
      timer = setTimeout(function () {
        asked = q;
        fetch('/api/v1/search?limit=5&q=' + encodeURIComponent(q), { headers: { accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (body) { if (asked === q) show(body.results || []); })
          .catch(function () { show([]); });
      }, 200);
    });
  });

  // A live conversation: messages arrive over the websocket as they are written, and the reply
  // form sends over it while it is open. Without the socket the form posts and the page reloads.
  document.querySelectorAll('[data-chat]').forEach(function (chat) {
    var list = chat.querySelector('[data-chat-list]');
    var status = chat.querySelector('[data-chat-status]');
    var form = document.querySelector('[data-chat-form]');
    var last = parseInt(chat.getAttribute('data-last'), 10) || 0;
    var key = chat.getAttribute('data-key') || '';
    var socket = null;
    var delay = 1000;
    function add(m) {
      if (m.seq <= last) return;
      last = m.seq;
      var li = document.createElement('li');
      li.className = 'msg ' + m.side;
      li.id = 'm' + m.seq;
      if (m.side !== 'system') {
        var who = document.createElement('span');
        who.className = 'who';
        who.setAttribute('data-user-text', '');
        who.textContent = m.author;
        li.appendChild(who);
        li.appendChild(document.createTextNode(' '));
      }
      var at = document.createElement('time');
      at.textContent = m.at;
      li.appendChild(at);
      var p = document.createElement('p');
      if (m.file) {
        var a = document.createElement('a');
        a.href = m.file.href + (key ? '?key=' + encodeURIComponent(key) : '');
        a.setAttribute('download', '');
        a.setAttribute('data-user-text', '');
        a.textContent = m.file.name;
        p.appendChild(a);
      } else {
        if (m.side !== 'system') p.setAttribute('data-user-text', '');
        p.textContent = m.body;
      }
      li.appendChild(p);
      // A file with words of its own (what was heard of a voice message) shows them too.
      if (m.file && m.body !== m.file.name) {
        var words = document.createElement('p');
        words.setAttribute('data-user-text', '');
        words.textContent = m.body;
        li.appendChild(words);
      }
      list.appendChild(li);
      li.scrollIntoView({ block: 'nearest' });
    }
    function connect() {
      var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
        chat.getAttribute('data-ws') + '?after=' + last + (key ? '&key=' + encodeURIComponent(key) : '');
      socket = new WebSocket(url);
      socket.onopen = function () {
        delay = 1000;
        status.textContent = chat.getAttribute('data-live');
        chat.setAttribute('data-connected', '');
      };
      socket.onmessage = function (e) {
        var m;
        try { m = JSON.parse(e.data); } catch (err) { return; }
        if (m.type === 'message') add(m);
        else if (m.type === 'error') status.textContent = m.message;
      };
      socket.onclose = function () {
        socket = null;
        chat.removeAttribute('data-connected');
        status.textContent = chat.getAttribute('data-offline');
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    if (form) {
      form.addEventListener('submit', function (e) {
        var body = form.querySelector('textarea[name=body]');
        if (!socket || socket.readyState !== 1 || !body.value.trim()) return;
        e.preventDefault();
        socket.send(JSON.stringify({ body: body.value }));
        body.value = '';
      });
    }
    if ('WebSocket' in window) connect();
  });

  // The room of a video identity check: camera and microphone only after "join", then one
  // WebRTC connection to each other browser in the room, signalled over the room's websocket.
  // The STUN and TURN servers (with this browser's own TURN credentials) come in the welcome;
  // the connection's state is said in words, a dropped call restarts ICE by itself, and the
  // officer sees each participant's round trip and lost packets.
  var room = document.getElementById('room');
  if (room) {
    var status = document.getElementById('room-status');
    var join = document.getElementById('room-join');
    var leave = document.getElementById('room-leave');
    var videos = document.getElementById('room-videos');
    var local = document.getElementById('room-local');
    var officerView = room.hasAttribute('data-officer');
    var stream = null, socket = null, peers = {}, names = {}, leaving = false, ice = null;
    var say = function (key) { status.textContent = room.getAttribute('data-msg-' + key) || ''; };
    var send = function (to, data) {
      if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: 'signal', to: to, data: data }));
    };
    var hangup = function (id) {
      if (peers[id]) { clearInterval(peers[id].quality); peers[id].close(); delete peers[id]; }
      var fig = document.getElementById('peer-' + id);
      if (fig) fig.remove();
    };
    var expired = function () { return ice && ice.expires && Date.now() / 1000 > ice.expires; };
    // The candidate pair in use and its figures, from the connection's statistics.
    var selected = function (pc) {
      return pc.getStats().then(function (stats) {
        var pair = null, lost = 0, received = 0, types = {};
        stats.forEach(function (r) {
          if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
          if (!pair && r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair = r;
          if (r.type === 'local-candidate' || r.type === 'remote-candidate') types[r.id] = r.candidateType;
          if (r.type === 'inbound-rtp' && r.kind === 'video') { lost += r.packetsLost || 0; received += r.packetsReceived || 0; }
        });
        return pair && {
          relayed: types[pair.localCandidateId] === 'relay' || types[pair.remoteCandidateId] === 'relay',
          rtt: pair.currentRoundTripTime,
          lost: received + lost ? lost / (received + lost) : 0
        };
      });
    };
    var describe = function (id, pc) {
      var state = pc.connectionState;
      if (state === 'connected') {
        selected(pc).then(function (s) { say(s && s.relayed ? 'relayed' : 'joined'); });
      } else if (state === 'connecting' || state === 'new') {
        say('connecting');
      } else if (state === 'disconnected') {
        say('reconnecting');
        if (pc.offerer) restart(id, pc);
      } else if (state === 'failed') {
        say(expired() ? 'expired' : 'failed');
        if (pc.offerer && !expired()) restart(id, pc);
      }
    };
    // A call that drops is offered again with fresh ICE by the side that made the first offer.
    var restart = function (id, pc) {
      pc.createOffer({ iceRestart: true }).then(function (o) { return pc.setLocalDescription(o); })
        .then(function () { send(id, { sdp: pc.localDescription }); })
        .catch(function () {});
    };
    var showQuality = function (id, pc) {
      selected(pc).then(function (s) {
        var fig = document.getElementById('peer-' + id);
        if (!s || !fig) return;
        var line = fig.querySelector('.quality');
        if (!line) {
          line = document.createElement('small');
          line.className = 'quality';
          fig.querySelector('figcaption').appendChild(line);
        }
        var rtt = s.rtt === undefined ? null : Math.round(s.rtt * 1000);
        var word = rtt === null ? '' : (rtt > 400 || s.lost > 0.05) ? 'poor' : (rtt > 200 || s.lost > 0.01) ? 'fair' : 'good';
        line.textContent = ' · ' + (room.getAttribute('data-msg-quality-' + word) || '')
          + (rtt === null ? '' : ' · ' + rtt + ' ms') + ' · ' + (s.lost * 100).toFixed(1) + '%'
          + (s.relayed ? ' · ' + room.getAttribute('data-msg-via-relay') : '');
      });
    };
    var connection = function (id) {
      var pc = new RTCPeerConnection({
        iceServers: (ice && ice.iceServers) || [],
        iceTransportPolicy: (ice && ice.iceTransportPolicy) || 'all'
      });
      peers[id] = pc;
      stream.getTracks().forEach(function (t) { pc.addTrack(t, stream); });
      pc.onicecandidate = function (e) { if (e.candidate) send(id, { candidate: e.candidate }); };
      pc.onconnectionstatechange = function () { describe(id, pc); };
      if (officerView) pc.quality = setInterval(function () { showQuality(id, pc); }, 3000);
      pc.ontrack = function (e) {
        var fig = document.getElementById('peer-' + id);
        if (!fig) {
          fig = document.createElement('figure');
          fig.id = 'peer-' + id;
          var v = document.createElement('video');
          v.autoplay = true;
          v.playsInline = true;
          v.className = 'remote';
          var cap = document.createElement('figcaption');
          var who = document.createElement('span');
          who.setAttribute('data-user-text', '');
          who.textContent = names[id] || '';
          cap.appendChild(who);
          fig.appendChild(v);
          fig.appendChild(cap);
          videos.appendChild(fig);
        }
        fig.querySelector('video').srcObject = e.streams[0];
      };
      return pc;
    };
    var label = function (p) { return p.name + (p.officer ? ' · ' + room.getAttribute('data-officer-label') : ''); };
    var onSignal = function (from, data) {
      var pc = peers[from] || connection(from);
      if (data.sdp) {
        pc.setRemoteDescription(data.sdp).then(function () {
          if (data.sdp.type !== 'offer') return null;
          return pc.createAnswer().then(function (a) { return pc.setLocalDescription(a); })
            .then(function () { send(from, { sdp: pc.localDescription }); });
        }).catch(function () { say('mediafail'); });
      } else if (data.candidate) {
        pc.addIceCandidate(data.candidate).catch(function () {});
      }
    };
    var connect = function () {
      var opened = false;
      socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + room.getAttribute('data-socket'));
      socket.onopen = function () { opened = true; };
      socket.onmessage = function (e) {
        var m;
        try { m = JSON.parse(e.data); } catch (err) { return; }
        if (m.type === 'welcome') {
          room.setAttribute('data-peer', m.id);
          ice = m.ice || null;
          say(expired() ? 'expired' : m.peers.length ? 'connecting' : 'waiting');
          m.peers.forEach(function (p) {
            names[p.id] = label(p);
            var pc = connection(p.id);
            pc.offerer = true;
            pc.createOffer().then(function (o) { return pc.setLocalDescription(o); })
              .then(function () { send(p.id, { sdp: pc.localDescription }); })
              .catch(function () { say('mediafail'); });
          });
        } else if (m.type === 'joined') {
          names[m.id] = label(m);
        } else if (m.type === 'signal') {
          onSignal(m.from, m.data);
        } else if (m.type === 'left') {
          hangup(m.id);
          say(Object.keys(peers).length ? 'joined' : 'waiting');
        } else if (m.type === 'error') {
          status.textContent = m.message;
        }
      };
      socket.onclose = function () {
        Object.keys(peers).forEach(hangup);
        socket = null;
        if (!leaving) say(opened ? 'closed' : 'refused');
        join.hidden = false;
        join.disabled = false;
        leave.hidden = true;
      };
    };
    join.addEventListener('click', function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
        say('unsupported');
        return;
      }
      join.disabled = true;
      leaving = false;
      navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (s) {
        stream = s;
        local.srcObject = s;
        join.hidden = true;
        leave.hidden = false;
        connect();
      }).catch(function (e) {
        join.disabled = false;
        var name = e && e.name;
        say(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied'
          : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'nodevice'
          : name === 'NotReadableError' ? 'inuse' : 'mediafail');
      });
    });
    leave.addEventListener('click', function () {
      leaving = true;
      if (socket) socket.close();
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      local.srcObject = null;
      say('left');
    });
  }

  // Forms inside the room send without leaving the page (the call goes on); the participants'
  // section is replaced by the one the server answers with. Elsewhere they post as usual.
  if (room) {
    document.addEventListener('submit', function (e) {
      var form = e.target;
      if (!form.hasAttribute || !form.hasAttribute('data-inline')) return;
      e.preventDefault();
      fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('participants');
          var old = document.getElementById('participants');
          if (fresh && old) old.replaceWith(fresh);
        })
        .catch(function () { say('mediafail'); });
    });
  }

  // A hall's display on its screen: the board comes over a websocket whenever it changes; a new
  // call, or a number called again, is spoken in the languages the server gives (once someone
  // has turned the sound on: browsers speak only after a person acted on the page).
  var hallScreen = document.querySelector('[data-hall-display]');
  if (hallScreen) {
    var callList = hallScreen.querySelector('[data-hall-calls]');
    var emptyNote = hallScreen.querySelector('[data-hall-empty]');
    var windowWords = hallScreen.getAttribute('data-window-words');
    var soundButton = hallScreen.querySelector('[data-hall-sound]');
    var clock = hallScreen.querySelector('[data-hall-clock]');
    var sound = false;
    var heard = null;
    soundButton.addEventListener('click', function () {
      sound = true;
      soundButton.hidden = true;
      window.scrollTo(0, 0);
    });
    // The hall's own time, in its zone, whatever zone the screen's computer is set to.
    var hallTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: hallScreen.getAttribute('data-zone') });
    var tick = function () { clock.textContent = hallTime.format(new Date()); };
    tick();
    setInterval(tick, 10000);
    var speak = function (call) {
      if (!sound || !window.speechSynthesis) return;
      call.say.forEach(function (s) {
        var u = new SpeechSynthesisUtterance(s.text);
        u.lang = s.lang === 'zh' ? 'zh-CN' : s.lang;
        window.speechSynthesis.speak(u);
      });
    };
    var show = function (board) {
      callList.textContent = '';
      board.calls.forEach(function (call) {
        var li = document.createElement('li');
        var label = document.createElement('span');
        label.className = 'hall-call-label';
        label.textContent = call.label;
        var arrow = document.createElement('span');
        arrow.className = 'hall-call-arrow';
        arrow.setAttribute('aria-hidden', 'true');
        arrow.textContent = ' → ';
        var win = document.createElement('span');
        win.className = 'hall-call-window';
        win.textContent = windowWords.replace('{window}', call.window);
        li.append(label, arrow, win);
        callList.appendChild(li);
      });
      emptyNote.hidden = board.calls.length > 0;
      board.groups.forEach(function (g) {
        var count = hallScreen.querySelector('[data-group="' + g.code + '"] [data-count]');
        if (count) count.textContent = g.waiting;
      });
      // Speak what is new since the last board: the first board only sets what was heard.
      var now = {};
      board.calls.forEach(function (call) { now[call.label] = call.calls; });
      if (heard) {
        board.calls.slice().reverse().forEach(function (call) {
          if (heard[call.label] !== call.calls) speak(call);
        });
      }
      heard = now;
    };
    var open = function () {
      var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
      var socket = new WebSocket(scheme + location.host + '/ws/halls/' + hallScreen.getAttribute('data-hall-display'));
      socket.onmessage = function (e) { show(JSON.parse(e.data)); };
      socket.onclose = function () { setTimeout(open, 3000); };
    };
    open();
  }

  // Her number on her phone: asked again every ten seconds, and the page read anew when her
  // number moved (its place, or its call), so what it says is the server's, in her language.
  // Coming close to the front, the phone vibrates once.
  var followed = document.querySelector('[data-hall-number]');
  if (followed) {
    var secret = followed.getAttribute('data-hall-number');
    var shownState = followed.getAttribute('data-hall-state');
    var shownAhead = followed.getAttribute('data-hall-ahead');
    var nearKey = 'hall-near-' + secret;
    if (followed.querySelector('.hall-near, .hall-go') && navigator.vibrate && !sessionStorage.getItem(nearKey + shownState)) {
      navigator.vibrate([300, 150, 300]);
      sessionStorage.setItem(nearKey + shownState, '1');
    }
    if (shownState === 'waiting' || shownState === 'called') {
      setInterval(function () {
        fetch('/api/v1/hall/numbers/' + secret, { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (n) {
            if (!n) return;
            var ahead = n.ahead === null || n.ahead === undefined ? '' : String(n.ahead);
            if (n.state !== shownState || ahead !== shownAhead) location.reload();
          })
          .catch(function () {});
      }, 10000);
    }
  }

  // The kiosk shows a number it gave for half a minute, then is ready for the next visitor.
  var kioskReturn = document.querySelector('[data-kiosk-return]');
  if (kioskReturn) {
    setTimeout(function () { location.href = kioskReturn.getAttribute('data-kiosk-return'); }, 30000);
  }
})();
