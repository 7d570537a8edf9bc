// Small enhancements; every page works without them.
"use strict";

// The arrival countdown on the tracking page, ticking each second from the server's "now".
// A live update replaces the element; its interval stops once the element left the page.
function startCountdown(element) {
  const deadline = Date.parse(element.dataset.deadline);
  const offset = Date.parse(element.dataset.now) - Date.now();
  const tick = () => {
    if (!element.isConnected) return clearInterval(timer);
    const left = Math.round((deadline - (Date.now() + offset)) / 1000);
    const minutes = Math.floor(Math.abs(left) / 60);
    const seconds = String(Math.abs(left) % 60).padStart(2, "0");
    element.textContent = left >= 0 ? `${minutes} 分 ${seconds} 秒` : `已超时 ${minutes} 分 ${seconds} 秒`;
    element.classList.toggle("late", left < 0);
  };
  const timer = setInterval(tick, 1000);
  tick();
}

// A submit button marked data-once is disabled after the first click. The server would
// answer a second submit with the same incident anyway (idempotency key); this only spares
// the round trip.
function guardDoubleSubmit(root) {
  root.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[data-once]").forEach((button) => {
        setTimeout(() => { button.disabled = true; }, 0);
      });
    });
  });
}

// Sorting the rows of the page shown (the server orders the list by risk score).
function sortableTables() {
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("thead th").forEach((header, column) => {
      const button = header.querySelector("button");
      if (!button) return;
      button.addEventListener("click", () => {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach((th) => th.hasAttribute("aria-sort") && th.setAttribute("aria-sort", "none"));
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = (row) => row.cells[column].textContent.trim();
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const order = !isNaN(x) && !isNaN(y) ? Number(x) - Number(y) : x.localeCompare(y, "zh");
          return ascending ? order : -order;
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  });
}

// A short two-tone beep made on the spot with WebAudio (no sound file to download). Browsers
// allow sound only after the person has touched the page once; until then the title badge
// still shows the new job. Each attempt is counted on <body data-live-beeps> for the tests.
let audioContext = null;
function beep() {
  document.body.dataset.liveBeeps = String(Number(document.body.dataset.liveBeeps || 0) + 1);
  try {
    audioContext = audioContext || new (window.AudioContext || window.webkitAudioContext)();
    if (audioContext.state === "suspended") audioContext.resume();
    [0, 0.25].forEach((start, index) => {
      const oscillator = audioContext.createOscillator();
      const gain = audioContext.createGain();
      oscillator.frequency.value = index ? 660 : 880;
      gain.gain.setValueAtTime(0.25, audioContext.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.001, audioContext.currentTime + start + 0.2);
      oscillator.connect(gain).connect(audioContext.destination);
      oscillator.start(audioContext.currentTime + start);
      oscillator.stop(audioContext.currentTime + start + 0.2);
    });
  } catch (error) {
    // No audio device or API: the badge and the new row are enough.
  }
}

// The "(2) 救援任务 …" badge: new jobs since the person last touched or looked at the page.
const baseTitle = document.title;
let unseen = 0;
function showUnseen() {
  document.title = unseen ? `(${unseen}) ${baseTitle}` : baseTitle;
}
function clearUnseen() {
  unseen = 0;
  showUnseen();
}

// What a person has picked or typed in a live list's forms (a fault cause, the firm to assign),
// keyed by incident, form and field, so that a live update redraws the rows without losing it;
// and which of those fields had the focus.
const FORM_CONTROLS = "select, textarea, input:not([type=hidden])";

function controlKey(control) {
  const row = control.closest("[data-incident]");
  if (!row || !control.name) return null;
  const choice = control.type === "checkbox" || control.type === "radio" ? `=${control.value}` : "";
  return `${row.dataset.incident}|${control.form ? control.form.action : ""}|${control.name}${choice}`;
}

function changedControls(root) {
  const saved = new Map();
  root.querySelectorAll(FORM_CONTROLS).forEach((control) => {
    const key = controlKey(control);
    if (!key) return;
    if (control.type === "checkbox" || control.type === "radio") {
      if (control.checked !== control.defaultChecked) saved.set(key, control.checked);
    } else if (control.tagName === "SELECT") {
      if (Array.from(control.options).some((option) => option.selected !== option.defaultSelected)) {
        saved.set(key, control.value);
      }
    } else if (control.value !== control.defaultValue) {
      saved.set(key, control.value);
    }
  });
  const focused = root.contains(document.activeElement) ? controlKey(document.activeElement) : null;
  return { saved, focused };
}

function restoreControls(root, { saved, focused }) {
  root.querySelectorAll(FORM_CONTROLS).forEach((control) => {
    const key = controlKey(control);
    if (key && saved.has(key)) {
      if (control.type === "checkbox" || control.type === "radio") control.checked = saved.get(key);
      else control.value = saved.get(key);
    }
    if (key && key === focused) control.focus();
  });
}

// A list that updates itself: an EventSource on data-live-stream replaces the element's
// contents with the rows the server renders; when the stream fails, the page polls the
// data-live-poll twin every data-live-poll-seconds until the stream is back.
function liveRegion(element) {
  const streamUrl = element.dataset.liveStream;
  const pollUrl = element.dataset.livePoll;
  const pollSeconds = Number(element.dataset.livePollSeconds || 5);
  const known = new Set(Array.from(element.querySelectorAll("[data-incident]"), (row) => row.dataset.incident));
  const state = document.querySelector("[data-live-state]");
  let source = null;
  let pollTimer = null;
  let ended = false;

  const apply = (payload) => {
    const inProgress = changedControls(element);
    element.innerHTML = payload.html;
    restoreControls(element, inProgress);
    const fresh = (payload.ids || []).filter((id) => !known.has(id));
    (payload.ids || []).forEach((id) => known.add(id));
    if (fresh.length) {
      if ("liveSound" in element.dataset) beep();
      if ("liveBadge" in element.dataset) {
        unseen += fresh.length;
        showUnseen();
      }
    }
    element.querySelectorAll(".countdown").forEach(startCountdown);
    guardDoubleSubmit(element);
    if (payload.final) stop();
  };
  const stop = () => {
    ended = true;
    if (source) source.close();
    if (pollTimer) clearInterval(pollTimer);
  };
  const poll = async () => {
    try {
      const answer = await fetch(pollUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (answer.ok) apply(await answer.json());
    } catch (error) {
      // Offline for a moment: the next poll tries again.
    }
  };
  const startPolling = () => {
    if (pollTimer || ended) return;
    if (state) state.dataset.mode = "polling";
    pollTimer = setInterval(poll, pollSeconds * 1000);
    poll();
  };
  const connect = () => {
    if (ended || !window.EventSource) return startPolling();
    source = new EventSource(streamUrl);
    source.addEventListener("open", () => {
      if (state) state.dataset.mode = "stream";
      if (pollTimer) {
        clearInterval(pollTimer);
        pollTimer = null;
      }
    });
    source.addEventListener("incidents", (event) => apply(JSON.parse(event.data)));
    source.addEventListener("ended", () => stop());
    source.addEventListener("error", () => {
      startPolling();
      // A refused stream (429, 5xx) is not retried by the browser: try again in 30 s.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 30000);
    });
  };
  connect();
}

function startLiveRegions() {
  const regions = document.querySelectorAll("[data-live-stream]");
  regions.forEach(liveRegion);
  if (regions.length) {
    ["click", "keydown"].forEach((name) => document.addEventListener(name, clearUnseen));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") clearUnseen();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".countdown").forEach(startCountdown);
  guardDoubleSubmit(document);
  sortableTables();
  startLiveRegions();
});
