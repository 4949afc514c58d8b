// Live countdowns: <time data-countdown="ISO-8601"> shows the time left, updated every 20 seconds.
(function () {
  // The page's language picks the units: the server's first rendering (Django's timeuntil) is in it too.
  function left(ms) {
    const zh = document.documentElement.lang.startsWith("zh");
    if (ms <= 0) return zh ? "已过期" : "expired";
    const minutes = Math.floor(ms / 60000), days = Math.floor(minutes / 1440);
    if (days >= 2) return days + (zh ? " 天" : " d");
    const hours = Math.floor(minutes / 60);
    return (hours ? hours + (zh ? " 小时 " : " h ") : "") + (minutes % 60) + (zh ? " 分钟" : " min");
  }
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      el.textContent = left(new Date(el.dataset.countdown) - new Date());
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 20000); });
  document.addEventListener("htmx:afterSwap", tick);
})();

// The credential wizard: notes marked data-gateway-only="sandbox" show only while that gateway is
// chosen. Without JavaScript they always show.
(function () {
  function sync() {
    const select = document.querySelector("select[name=gateway]");
    if (!select) return;
    document.querySelectorAll("[data-gateway-only]").forEach(function (el) {
      el.hidden = el.dataset.gatewayOnly !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=gateway]")) sync();
  });
  // A new credential's limits start at what its gateway is known to allow (data-limit-defaults: gateway →
  // [daily quota, calls per second]); changing the gateway moves them along unless the user typed their own.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("select[name=gateway][data-limit-defaults]")) event.target.dataset.was = event.target.value;
  });
  document.addEventListener("change", function (event) {
    const select = event.target;
    if (!select.matches("select[name=gateway][data-limit-defaults]")) return;
    const defaults = JSON.parse(select.dataset.limitDefaults), now = defaults[select.value];
    const was = defaults[select.dataset.was || Object.keys(defaults).find(function (k) { return k !== select.value; })];
    select.dataset.was = select.value;
    if (!was || !now) return;
    [["daily_quota", 0], ["qps", 1]].forEach(function (pair) {
      const input = select.form && select.form.elements[pair[0]];
      if (input && Number(input.value) === was[pair[1]]) input.value = now[pair[1]];
    });
  });
})();

// Product gallery (templates/sourcing/catalog/_gallery.html): a thumbnail shows its picture in the frame,
// the arrow keys (and Home/End) move between thumbnails, and the frame opens a large view (a <dialog>: Esc
// closes it, the arrow keys step through the pictures). Without JavaScript every link opens its picture.
(function () {
  function parts(el) {
    const gallery = el && el.closest("[data-gallery]");
    if (!gallery) return null;
    return {
      gallery: gallery,
      thumbs: Array.from(gallery.querySelectorAll("[data-gallery-thumb]")),
      main: gallery.querySelector("#gallery-main"),
      open: gallery.querySelector("[data-gallery-open]"),
      caption: gallery.querySelector("[data-gallery-caption]"),
      dialog: gallery.querySelector("[data-gallery-dialog]"),
    };
  }
  function current(g) {
    return Math.max(0, g.thumbs.findIndex(function (t) { return t.classList.contains("on"); }));
  }
  function show(g, index) {
    if (!g.thumbs.length) return;
    index = (index + g.thumbs.length) % g.thumbs.length;
    const thumb = g.thumbs[index], url = thumb.getAttribute("href");
    g.thumbs.forEach(function (t) { t.classList.remove("on"); t.removeAttribute("aria-current"); });
    thumb.classList.add("on");
    thumb.setAttribute("aria-current", "true");
    g.main.src = url;
    g.open.href = url;
    if (g.caption) g.caption.textContent = thumb.dataset.caption || "";
    if (g.dialog && g.dialog.open) large(g);
    return thumb;
  }
  function large(g) {
    const img = g.dialog.querySelector("[data-gallery-large]");
    img.src = g.main.src;
    img.alt = g.main.alt;
    const caption = g.dialog.querySelector("[data-gallery-large-caption]");
    const thumb = g.thumbs[current(g)];
    if (caption) caption.textContent = thumb ? thumb.dataset.caption || "" : "";
  }
  document.addEventListener("click", function (event) {
    const g = parts(event.target);
    if (!g) return;
    const thumb = event.target.closest("[data-gallery-thumb]");
    const step = event.target.closest("[data-gallery-step]");
    if (thumb) {
      event.preventDefault();
      show(g, g.thumbs.indexOf(thumb));
    } else if (step) {
      show(g, current(g) + Number(step.dataset.galleryStep));
    } else if (event.target.closest("[data-gallery-close]")) {
      g.dialog.close();
    } else if (event.target.closest("[data-gallery-open]") && g.dialog && g.dialog.showModal) {
      event.preventDefault();
      large(g);
      g.dialog.showModal();
    } else if (event.target === g.dialog) {
      g.dialog.close(); // a click on the backdrop
    }
  });
  document.addEventListener("keydown", function (event) {
    const g = parts(event.target);
    if (!g || event.altKey || event.ctrlKey || event.metaKey) return;
    const inDialog = g.dialog && g.dialog.open;
    const thumb = event.target.closest("[data-gallery-thumb]");
    if (!inDialog && !thumb) return;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let index = null;
    if (event.key in moves && (inDialog || event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      index = current(g) + moves[event.key];
    } else if (event.key === "Home") {
      index = 0;
    } else if (event.key === "End") {
      index = g.thumbs.length - 1;
    }
    if (index === null) return;
    event.preventDefault();
    const shown = show(g, index);
    if (shown && !inDialog) shown.focus();
  });
})();

// Photo search: say at once when a picture is over the size limit, before it is uploaded.
(function () {
  document.addEventListener("change", function (event) {
    const input = event.target.closest("input[type=file][data-size-hint]");
    if (!input) return;
    const form = input.form, limit = Number(form.dataset.maxBytes || 0);
    const warning = form.querySelector("[data-size-warning]");
    const file = input.files && input.files[0];
    const tooBig = Boolean(file && limit && file.size > limit);
    if (warning) warning.hidden = !tooBig;
    input.setCustomValidity(tooBig ? (warning ? warning.textContent.trim() : "Too large") : "");
  });
})();

// A finished job's id in the address only serves the page that showed its result: drop it, so a link
// copied from the address bar is the plain public page (another team can't open someone's job).
document.addEventListener("DOMContentLoaded", function () {
  var url = new URL(window.location.href);
  if (url.searchParams.has("job") && !document.querySelector("[hx-trigger*='every']")) {
    url.searchParams.delete("job");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
});
// Team lists: answers a form marks with data-swap-errors (a refusal, bad input) replace it like a success,
// so the words show where the click was; elsewhere htmx keeps its default of ignoring 4xx answers.
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    const status = event.detail.xhr.status;
    const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (status >= 400 && status < 500 && elt && elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // "Save to list": the new list's name is asked for only when "+ New list…" is chosen (always shown without JavaScript).
  function sync(select) {
    const input = select.form && select.form.querySelector("[data-new-list-name]");
    if (!input) return;
    const isNew = select.value === "new";
    input.hidden = !isNew;
    input.required = isNew;
    if (!isNew) input.value = "";
  }
  function syncAll(root) { (root || document).querySelectorAll("select[data-new-list]").forEach(sync); }
  document.addEventListener("DOMContentLoaded", function () { syncAll(); });
  document.addEventListener("htmx:afterSwap", function () { syncAll(); });
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-new-list]")) sync(event.target);
  });
})();

// Contacting suppliers: "Copy message" puts the inquiry's text on the clipboard for the WangWang chat.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.value !== undefined ? source.value : source.textContent;
  const done = () => {
    const label = button.textContent;
    button.textContent = button.dataset.done || "✓";
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(source, done));
  } else {
    fallbackCopy(source, done);
  }
});

function fallbackCopy(source, done) {
  const range = document.createRange();
  range.selectNodeContents(source);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  try { if (document.execCommand("copy")) done(); } catch (error) { /* the text stays selected: copy by hand */ }
}

// Small behaviours that were inline handlers (the Content-Security-Policy runs no inline script):
// a <select data-submit-on-change> submits its form when changed; an <input data-select-on-click> selects its
// text when clicked, to copy it.
(function () {
  document.addEventListener("change", function (event) {
    const select = event.target.closest && event.target.closest("select[data-submit-on-change]");
    if (select && select.form) select.form.submit();
  });
  document.addEventListener("click", function (event) {
    const input = event.target.closest && event.target.closest("input[data-select-on-click]");
    if (input) input.select();
  });
  // <form data-confirm="question">: asks before submitting.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  // <fieldset data-count-ticked="N"> (the sandbox's API grants): "k of N ticked" in its <details> summary.
  document.addEventListener("change", function (event) {
    const fieldset = event.target.closest && event.target.closest("fieldset[data-count-ticked]");
    const label = fieldset && fieldset.closest("details") && fieldset.closest("details").querySelector(".sandbox-granted");
    if (label) label.textContent = fieldset.querySelectorAll(":checked").length + " of " + fieldset.dataset.countTicked + " ticked";
  });
})();

// The search box takes several pasted links: a one-line box drops a paste's line breaks and glues the links
// together, so a paste with line breaks goes in with spaces between its lines instead.
(function () {
  document.addEventListener("paste", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "q" || !event.clipboardData) return;
    const text = event.clipboardData.getData("text");
    if (!/[\r\n]/.test(text)) return;
    event.preventDefault();
    const start = box.selectionStart ?? box.value.length, end = box.selectionEnd ?? box.value.length;
    const flat = text.replace(/\s*[\r\n]+\s*/g, " ").trim();
    box.value = box.value.slice(0, start) + flat + box.value.slice(end);
    box.selectionStart = box.selectionEnd = start + flat.length;
  });
})();
