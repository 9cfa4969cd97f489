// report.html's script: draws the data blob (#report-data) with Leaflet and builds the tables.
// Every text from the data is put on the page with textContent, never as HTML, so a scenario's
// words stay words. Nothing is fetched: there is no tile layer, and no image but data: URIs.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("report-data").textContent);
  const STEP_S = 60;

  // ---- small helpers -------------------------------------------------------------------------

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "style") e.style.cssText = v;
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const $ = (id) => document.getElementById(id);
  const ll = (p) => [p[1], p[0]]; // [lon, lat] → Leaflet's [lat, lon]
  const rings = (polys) => polys.map((poly) => poly.map((ring) => ring.map(ll)));

  /** Seconds from the report's start as "2017-08-30 12:00 UTC". */
  function timeText(s) {
    const d = new Date((D.start_epoch_s + s) * 1000);
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  const pct = (x) => Math.round(x * 100) + "%";

  /** An ISO time from the data ("2017-09-03T12:00:00Z") as "2017-09-03 12:00 UTC". */
  const iso = (t) => t.slice(0, 16).replace("T", " ") + " UTC";

  /** A link only to a web address: a scenario's url never becomes a script or a file link. */
  function link(url, text) {
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      return el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, text || url);
    }
    return text ? document.createTextNode(text) : null;
  }

  function holderOf(id) {
    return D.holders.find((h) => h.id === id) || { id, label: id, colour: "#999" };
  }

  // ---- where an agent is at a time (as AgentRun::position_at does in Rust) -------------------

  /** [lon, lat] on the straight line between the track points either side of `t`. */
  function positionAt(agent, t) {
    const tr = agent.track;
    if (tr.length === 0) return agent.end.at;
    let lo = 0, hi = tr.length; // first index with time > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tr[mid][0] <= t) lo = mid + 1; else hi = mid;
    }
    if (lo === 0) return [tr[0][1], tr[0][2]];
    if (lo === tr.length) return [tr[lo - 1][1], tr[lo - 1][2]];
    const a = tr[lo - 1], b = tr[lo];
    const span = b[0] - a[0];
    const f = span > 0 ? (t - a[0]) / span : 1;
    return [a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
  }

  function statusAt(agent, t) {
    let s = agent.statuses.length ? agent.statuses[0][1] : agent.end.status;
    for (const [ts, st] of agent.statuses) {
      if (ts <= t) s = st; else break;
    }
    return s;
  }

  // ---- the map -------------------------------------------------------------------------------

  const map = L.map("map", { zoomSnap: 0.25, attributionControl: false, preferCanvas: false });
  L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
  // People under buses: a group aboard a bus stands on it, and the bus should show.
  const panes = ["land", "zones", "rivers", "roads", "tracks", "places", "events", "people", "agents"];
  panes.forEach((name, i) => { map.createPane(name).style.zIndex = String(300 + 10 * i); });

  const land = L.layerGroup();
  for (const c of D.base.countries) {
    L.polygon(rings(c.polygons), {
      pane: "land", color: "#828282", weight: 1, fillColor: "#f6f3ec", fillOpacity: 1, interactive: false,
    }).addTo(land);
  }
  land.addTo(map);

  const rivers = L.layerGroup();
  for (const r of D.base.rivers) {
    L.polyline(r.lines.map((l) => l.map(ll)), { pane: "rivers", color: "#5a96d2", weight: 2, interactive: false }).addTo(rivers);
  }

  const roads = L.layerGroup();
  for (const r of D.base.roads) {
    const label = el("span", {}, r.name, r.ref ? " (" + r.ref + ")" : null, el("br"), el("span", { class: "muted" }, r.class));
    L.polyline(r.line.map(ll), {
      pane: "roads", color: r.colour, weight: r.width + 0.5, dashArray: r.dashed ? "6 5" : null, opacity: 0.9,
    }).bindTooltip(label, { sticky: true }).addTo(roads);
  }

  // Every place is labelled; where labels collide the less important one is hidden (see
  // declutter), so zooming in shows more names. Report places first, then cities and towns.
  const rank = (p) => (p.in_reports ? 0 : p.kind === "city" ? 1 : p.kind === "town" ? 2 : 3);
  const placeOrder = D.base.places.map((p, i) => [rank(p), i, p]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const places = L.layerGroup();
  const placeLabels = [];
  for (const [r, , p] of placeOrder) {
    const major = r < 3;
    // The uncertainty goes under the name, beside the Arabic, to keep labels narrow.
    const label = el("span", {}, major ? el("b", {}, p.name) : p.name,
      el("span", { class: "second" },
        p.arabic ? el("span", { lang: "ar", dir: "rtl" }, p.arabic) : null,
        p.uncertainty_km >= 10 ? el("span", { class: "unc" }, "±" + p.uncertainty_km + " km") : null));
    const m = L.circleMarker(ll(p.at), {
      pane: "places", radius: major ? 3.5 : 2.5, color: "#191919", weight: 1, fillColor: "#191919", fillOpacity: 1,
    }).bindTooltip(label, {
      permanent: true, direction: "right", offset: [4, 0], className: "place" + (major ? "" : " minor"), pane: "places",
    }).addTo(places);
    placeLabels.push(m);
  }

  /** Puts each place label right of its dot, or left if that collides with a label placed
   *  before it (in order of importance) or runs off the map, or hides it. */
  function declutter() {
    const taken = [];
    const box = map.getContainer().getBoundingClientRect();
    const inside = (r) => r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
    const free = (r) => inside(r) && !taken.some((o) => r.left < o.right && o.left < r.right && r.top < o.bottom && o.top < r.bottom);
    const place = (t, direction, offset) => {
      t.options.direction = direction;
      t.options.offset = offset;
      t.update();
      return t.getElement().getBoundingClientRect();
    };
    for (const m of placeLabels) {
      const t = m.getTooltip();
      const e = t && t.getElement();
      if (!e) continue;
      e.style.visibility = "";
      let r = place(t, "right", [4, 0]);
      if (!free(r)) r = place(t, "left", [-4, 0]);
      if (free(r)) taken.push(r); else e.style.visibility = "hidden";
    }
  }
  map.on("zoomend moveend", declutter);

  // Zones change over time: the layer holds those valid at the slider's time.
  const zoneLayer = L.layerGroup();
  let zonesShown = null;
  function showZones(t) {
    const valid = D.base.zones.filter((z) => z.from_s <= t && t < z.to_s);
    // Outside the data's coverage the nearest period is shown, as the PNG maps do.
    const shown = valid.length ? valid : nearestZones(t);
    const key = shown.map((z) => z.id).join(",");
    if (key === zonesShown) return;
    zonesShown = key;
    zoneLayer.clearLayers();
    for (const z of shown) {
      const h = holderOf(z.holder);
      L.polygon(rings(z.polygons), {
        pane: "zones", color: h.colour, weight: 1, opacity: 0.6, fillColor: h.colour, fillOpacity: 0.22,
      }).bindTooltip(el("span", {}, z.label, el("br"), el("span", { class: "muted" }, z.from.slice(0, 10) + " – " + z.to.slice(0, 10))), { sticky: true })
        .addTo(zoneLayer);
    }
    const legend = $("zone-legend");
    legend.replaceChildren();
    const holders = [...new Set(shown.map((z) => z.holder))];
    for (const id of holders) {
      const h = holderOf(id);
      legend.append(el("li", {}, el("span", { class: "box", style: "background:" + h.colour + "55;border-color:" + h.colour }), h.label));
    }
  }
  function nearestZones(t) {
    if (!D.base.zones.length) return [];
    const first = Math.min(...D.base.zones.map((z) => z.from_s));
    const last = Math.max(...D.base.zones.map((z) => z.to_s)) - 1;
    const at = Math.min(Math.max(t, first), last);
    return D.base.zones.filter((z) => z.from_s <= at && at < z.to_s);
  }
  zoneLayer.addTo(map);
  roads.addTo(map);
  rivers.addTo(map);
  places.addTo(map);

  // ---- the accounts --------------------------------------------------------------------------

  const accounts = D.accounts.map((acc, i) => {
    const group = L.layerGroup();
    const markers = [];
    for (const a of acc.agents) {
      // Vehicles of every kind (bus, ambulance, pickup…) are solid; people dashed and round.
      const people = a.type === "people";
      if (a.track.length >= 2) {
        L.polyline(a.track.map((p) => [p[2], p[1]]), {
          pane: "tracks", color: acc.colour, weight: people ? 2 : 3, opacity: 0.45,
          dashArray: people ? "5 5" : null, interactive: false,
        }).addTo(group);
      }
      const m = L.circleMarker(ll(a.end.at), {
        pane: people ? "people" : "agents",
        className: "agent acct-" + i,
        radius: people ? Math.min(4 + Math.sqrt(a.count) / 1.5, 16) : 6,
        color: people ? acc.colour : "#ffffff",
        weight: people ? 2.5 : 1.5,
        fillColor: people ? "#ffffff" : acc.colour,
        fillOpacity: people ? 0.55 : 1,
      });
      m.bindTooltip(() => el("span", {}, el("b", {}, acc.title), el("br"),
        a.id + (people ? " — " + a.count + " people" : ""), el("br"),
        statusAt(a, time()) + " · ends " + a.end.status + " in " + holderOf(a.end.zone).label + ", " + a.end.km_to_place + " km from " + a.end.place));
      m.addTo(group);
      markers.push({ agent: a, marker: m });
    }
    // Strikes and road cuts are drawn from the moment they happen.
    const events = [];
    for (const e of acc.events) {
      if (e.kind !== "strike" && e.kind !== "road_closed") continue;
      const m = L.circleMarker(ll(e.at), {
        pane: "events", radius: 7, color: e.kind === "strike" ? "#eb7800" : "#c80000", weight: 3, fill: false,
      }).bindTooltip(el("span", {}, el("b", {}, e.kind.replace("_", " ") + ", " + iso(e.time)), el("br"), e.detail), { sticky: true });
      m.addTo(group);
      events.push({ at: e.t_s, marker: m });
    }
    group.addTo(map);
    return { data: acc, group, markers, events, index: i };
  });

  // ---- switches ------------------------------------------------------------------------------

  function switchFor(label, swatch, layer, id) {
    const box = el("input", { type: "checkbox", id, checked: true });
    box.addEventListener("change", () => {
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
      declutter();
    });
    return el("label", { class: "switch", for: id }, box, swatch, label);
  }
  for (const a of accounts) {
    const d = a.data;
    $("accounts").append(switchFor(el("span", {}, d.title, el("br"), el("span", { class: "muted small" }, d.source + ", as of " + d.as_of.slice(0, 10))),
      el("span", { class: "swatch", style: "background:" + d.colour }), a.group, "account-" + a.index));
  }
  [["Zones", zoneLayer], ["Roads", roads], ["Places", places], ["Rivers", rivers]].forEach(([name, layer], i) => {
    $("base-layers").append(switchFor(name, null, layer, "base-" + i));
  });

  // ---- time ----------------------------------------------------------------------------------

  const slider = $("time");
  const last = Math.ceil(D.duration_s / STEP_S) * STEP_S;
  slider.max = String(last);
  slider.value = String(last);
  const time = () => Number(slider.value);

  function setTime(t) {
    $("time-label").textContent = timeText(t);
    for (const a of accounts) {
      for (const { agent, marker } of a.markers) marker.setLatLng(ll(positionAt(agent, t)));
      for (const { at, marker } of a.events) marker.setStyle({ opacity: t >= at ? 1 : 0 });
    }
    showZones(t);
  }
  slider.addEventListener("input", () => setTime(time()));

  let playing = null;
  $("play").addEventListener("click", () => {
    if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play"; return; }
    if (time() >= last) slider.value = "0";
    $("play").textContent = "Pause";
    const stride = Math.max(STEP_S, Math.round(last / 400 / STEP_S) * STEP_S);
    playing = setInterval(() => {
      const next = Math.min(time() + stride, last);
      slider.value = String(next);
      setTime(next);
      if (next >= last) { clearInterval(playing); playing = null; $("play").textContent = "Play"; }
    }, 50);
  });
  $("to-start").addEventListener("click", () => { slider.value = "0"; setTime(0); });
  $("to-end").addEventListener("click", () => { slider.value = String(last); setTime(last); });

  // ---- view ----------------------------------------------------------------------------------

  const extent = [];
  for (const a of D.accounts) {
    for (const g of a.agents) {
      for (const p of g.track) extent.push([p[2], p[1]]);
      extent.push(ll(g.end.at));
    }
  }
  if (!extent.length) for (const p of D.base.places) extent.push(ll(p.at));
  const view = extent.length ? L.latLngBounds(extent).pad(0.08) : null;
  function fit() {
    map.invalidateSize(false);
    if (view) map.fitBounds(view, { animate: false });
    declutter();
  }
  fit();
  setTime(time());
  window.addEventListener("resize", declutter);
  // The printed page is another size: fit the accounts to it, and back to the window after.
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);

  // ---- text: title, end states, claims, ACH --------------------------------------------------

  document.title = D.title;
  $("title").textContent = D.title;
  $("subtitle").textContent = D.accounts.length + (D.accounts.length === 1 ? " account" : " accounts") +
    ", " + timeText(0) + " to " + timeText(D.duration_s) + ". Drag the time slider to move every shown account's buses and people.";
  $("footer").textContent = "convoy-sim " + D.tool_version + ". " + D.attribution + " Sources and licences: data/README.md, or the README of the data folder given. Map drawn with Leaflet 1.9.4 (BSD-2-Clause), no basemap tiles: everything here works offline.";

  for (const a of accounts) $("end-tables").append(endCard(a.data));
  if (D.check) { claims(D.check); ach(D.check); }

  function endCard(d) {
    const c = d.cite;
    const rows = d.end_table.map((r) => el("tr", {},
      el("td", {}, holderOf(r.zone).label), el("td", {}, r.status),
      el("td", { class: "num" }, r.buses), el("td", { class: "num" }, r.people)));
    const sum = (k) => d.end_table.reduce((n, r) => n + r[k], 0);
    return el("article", { class: "card", style: "--accent:" + d.colour },
      el("h3", {}, d.title),
      el("p", { class: "muted" }, d.source + " — as of " + iso(d.as_of)),
      d.summary ? el("p", {}, d.summary) : null,
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "zone"), el("th", {}, "status"), el("th", { class: "num" }, "buses"), el("th", { class: "num" }, "people"))),
        el("tbody", {}, ...rows),
        el("tfoot", {}, el("tr", {}, el("th", {}, "total"), el("th", {}), el("th", { class: "num" }, sum("buses")), el("th", { class: "num" }, sum("people"))))),
      el("blockquote", {}, "“" + c.quote + "”"),
      el("p", { class: "small" }, c.outlet + ", " + c.date + (c.url ? " — " : ""), link(c.url)),
      el("details", {}, el("summary", {}, "What happened (" + d.events.length + " events)"),
        el("ol", { class: "small events" }, ...d.events.map((e) => el("li", {}, el("b", {}, iso(e.time) + " " + e.kind.replace("_", " ") + ": "), e.detail)))),
      el("p", { class: "muted small" }, "seed " + d.seed));
  }

  function cell(v, own) {
    const text = v.verdict === "impossible" ? "impossible"
      : v.verdict.replace(/_/g, " ") + " " + pct(v.share) + " (" + pct(v.share_low) + "–" + pct(v.share_high) + ")";
    return el("td", { class: "verdict-" + v.verdict + (own ? " own" : ""), title: v.reason }, text);
  }

  function claims(ck) {
    $("claims").hidden = false;
    $("claims-intro").textContent = "Each claim judged against every account, each run " + ck.runs +
      " times: consistent when at least " + Math.round(ck.consistent_at * 100) + "% of the realizations bear it out; not ruled out when they do only counting buses or people the account has lost track of; impossible when the account's own events rule it out. The share is the share of realizations that bear it out; in brackets, its 95% (Wilson) interval. A framed cell is the claim against its own source's account.";
    for (const c of ck.claims) {
      const own = ck.accounts.findIndex((a) => a.name === c.source_account);
      const head = el("tr", {}, ...ck.accounts.map((a) => el("th", {}, a.title)));
      const verdicts = el("tr", {}, ...c.verdicts.map((v, i) => cell(v, i === own)));
      const reasons = el("ul", { class: "small" }, ...c.verdicts.map((v, i) => el("li", {}, el("b", {}, ck.accounts[i].name + ": "), v.reason)));
      $("claims-list").append(el("article", { class: "claim" },
        el("h3", {}, c.id + " — " + c.says),
        el("p", {}, "Claims: " + c.count + " " + c.subject + " " + c.where + " by " + iso(c.by) + "."),
        el("p", { class: "muted" }, "Source's account: " + (ck.accounts[own] ? ck.accounts[own].title : c.source_account)),
        el("blockquote", {}, "“" + c.cite.quote + "”"),
        el("p", { class: "small" }, c.cite.outlet + ", " + c.cite.date + (c.cite.source ? " (" + c.cite.source + " in data/sources.toml)" : "") + (c.cite.url ? " — " : ""), link(c.cite.url)),
        c.assumed ? el("p", { class: "small muted" }, "Assumed: " + c.assumed) : null,
        c.credibility ? el("p", { class: "small rating" }, "As evidence: credibility " + c.credibility.rating +
          " (" + c.credibility.reason + " — " + c.credibility.rated_by + "), relevance " + c.relevance +
          ", weight " + c.weight.toFixed(2) + "; " + (c.diagnostic ? "diagnosticity " + c.diagnosticity : "not diagnostic: it scores the same against every account") + ".") : null,
        el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), el("tbody", {}, verdicts))),
        el("details", {}, el("summary", {}, "Reasons"), reasons)));
    }
  }

  function ach(ck) {
    $("ach").hidden = false;
    const order = ck.ach_ranking;
    const n = ck.accounts.length;
    const rankOf = (scores, a) => 1 + scores.filter((s) => s < scores[a]).length;
    // The hypotheses, least contradicted first, with both scores and how robust the ranking is.
    const summary = $("ach-summary");
    summary.append(el("thead", {}, el("tr", {}, el("th", {}, "rank"), el("th", {}, "account (hypothesis)"),
      el("th", { class: "num" }, "inconsistency"), el("th", { class: "num" }, "weighted (rank)"),
      el("th", { class: "num" }, "ranks first in"))));
    summary.append(el("tbody", {}, ...order.map((a) => el("tr", { "data-account": ck.accounts[a].name },
      el("td", { class: "num" }, rankOf(ck.ach_scores, a)),
      el("td", {}, ck.accounts[a].title, el("br"), el("span", { class: "small muted" }, ck.accounts[a].name)),
      el("td", { class: "num score" }, ck.ach_scores[a]),
      el("td", { class: "num weighted" }, ck.ach_weighted[a].toFixed(2) + " (#" + rankOf(ck.ach_weighted, a) + ")"),
      el("td", { class: "num first" }, pct(ck.ranks_first[a]) + " of " + ck.runs)))));
    $("ach-weights").textContent = ck.weights_note + " Ranks first: the share of the " + ck.runs +
      " realizations in which the account has the lowest unweighted score (ties shared) — how robust the ranking is to what the realizations draw.";

    // The matrix: the most diagnostic claims first (Heuer), the non-diagnostic ones greyed.
    const rows = ck.claims.map((c, i) => [c, i]).sort((x, y) => y[0].diagnosticity - x[0].diagnosticity || x[1] - y[1]);
    const t = $("ach-table");
    t.append(el("thead", {}, el("tr", {}, el("th", {}, "claim (evidence)"), el("th", {}, "source"),
      el("th", {}, "credibility · relevance (weight)"), el("th", { class: "num" }, "diagnosticity"),
      ...order.map((a) => el("th", {}, ck.accounts[a].title)))));
    const body = el("tbody");
    for (const [c] of rows) {
      const own = ck.accounts.findIndex((a) => a.name === c.source_account);
      const cred = c.credibility;
      body.append(el("tr", { class: c.diagnostic ? "diagnostic" : "non-diagnostic" },
        el("td", {}, c.id + (c.diagnostic ? " ◆" : ""), el("br"), el("span", { class: "small muted" }, c.says)),
        el("td", {}, c.source_account, el("br"), el("span", { class: "small muted" }, cred.source || c.cite.outlet)),
        el("td", { title: cred.reason + " (" + cred.rated_by + ")" }, cred.rating + " · " + c.relevance + " (" + c.weight.toFixed(2) + ")"),
        el("td", { class: "num" }, c.diagnostic ? String(c.diagnosticity) : "0 — not diagnostic"),
        ...order.map((a) => {
          const v = c.verdicts[a];
          return el("td", { class: "num verdict-" + v.verdict + (a === own ? " own" : ""), title: v.reason }, v.score);
        })));
    }
    t.append(body);
    const foot = (label, cls, f) => el("tr", { class: cls }, el("th", { colspan: 4 }, label),
      ...order.map((a) => el("th", { class: "num" }, f(a))));
    t.append(el("tfoot", {},
      foot("inconsistency (lower is less contradicted)", "score", (a) => ck.ach_scores[a]),
      foot("weighted inconsistency (credibility × relevance)", "weighted", (a) => ck.ach_weighted[a].toFixed(2)),
      foot("ranks first in (share of " + ck.runs + " realizations)", "first", (a) => pct(ck.ranks_first[a]))));
    $("ach").append(el("p", { class: "small muted" }, "◆ diagnostic: the claim scores differently across the accounts. Greyed rows score the same against every account, so they cannot tell the hypotheses apart (" +
      ck.claims.filter((c) => !c.diagnostic).length + " of " + ck.claims.length + "). Columns: " + n + " accounts, least contradicted first."));
  }

  // For the test suite and for anyone scripting the page: where every shown marker is.
  window.convoyReport = {
    map,
    setTime(t) { slider.value = String(t); setTime(time()); },
    positions() {
      const out = {};
      for (const a of accounts) {
        if (!map.hasLayer(a.group)) continue;
        out[a.data.name] = a.markers.map(({ agent, marker }) => [agent.id, marker.getLatLng().lat, marker.getLatLng().lng]);
      }
      return out;
    },
  };
})();
