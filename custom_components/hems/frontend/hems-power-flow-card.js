/**
 * hems-power-flow-card — the live power flow of the house (AiSEG2's 電気の流れ screen).
 *
 * A dependency-free web component for Home Assistant dashboards, served by the hems
 * integration (custom_components/hems/frontend).  No build step: this file is what runs.
 *
 * It shows, in watts, the flow between the grid (買電 buying / 売電 selling), solar (発電),
 * the storage battery (充電 charging / 放電 discharging), a V2H charger/discharger, a fuel cell
 * and the house (消費), with the direction of every flow as an arrow and a moving dash (still
 * when the browser asks for reduced motion).  Labels follow the user's Home Assistant language
 * (English or Japanese).
 *
 * Configuration (YAML):
 *
 *   type: custom:hems-power-flow-card
 *   title: Power flow               # optional; default "Power flow" / 「電気の流れ」; "" hides it
 *   entities:                       # at least one of grid, solar, battery, v2h, fuel_cell
 *     grid: sensor.smart_meter_grid_power             # W or kW; + buying (買電), - selling (売電)
 *     solar: sensor.solar_power_solar_power           # generation (発電)
 *     battery: sensor.storage_battery_charge_discharge_power  # + charging (充電), - discharging (放電)
 *     battery_soc: sensor.storage_battery_state_of_charge     # optional, %
 *     v2h: sensor.v2h_charger_charge_discharge_power  # + charging the car, - the car supplies
 *     v2h_soc: sensor.v2h_charger_vehicle_state_of_charge     # optional, %
 *     fuel_cell: sensor.fuel_cell_generation_power    # generation (発電)
 *     house: sensor.hems_home_house_consumption_power # optional: consumption (消費); without it
 *                                                     # the card computes grid + solar +
 *                                                     # fuel_cell - battery - v2h
 *
 * Every power entry is an entity id or an object:
 *     grid: {entity: sensor.grid_power, invert: true, name: Meter}
 * `invert` flips the sign (for sensors that count selling or discharging as positive), `name`
 * replaces the label under the node.  Values in W and kW are understood (by the entity's
 * unit_of_measurement).  An entity that is unavailable or unknown shows "unavailable"
 * (「利用不可」) and never a number; so does the computed house consumption while any of its
 * parts is unavailable.  A bad configuration is an error card (setConfig throws).
 *
 * Markup hooks (used by the tests): every node is `g.node[data-node=<key>]` with
 * `data-state` = flowing | idle | unavailable | missing | bad-unit and `data-direction`
 * = in (towards the house) | out | none; every line is `path.flow[data-node=<key>]`.
 *
 * Icons: Material Design Icons (Pictogrammers, Apache-2.0), path data inlined.
 */

const CARD_TYPE = "hems-power-flow-card";
const CARD_VERSION = "0.1.0";

/** The power nodes in drawing order, and the optional state-of-charge companions. */
const POWER_KEYS = ["grid", "solar", "fuel_cell", "battery", "v2h", "house"];
const SOURCE_KEYS = ["grid", "solar", "fuel_cell", "battery", "v2h"];
const SOC_KEYS = { battery_soc: "battery", v2h_soc: "v2h" };
const SOC_KEYS_BY_NODE = { battery: "battery_soc", v2h: "v2h_soc" };
const ENTITY_ID = /^[a-z_][a-z0-9_]*\.[a-z0-9_]+$/;
const UNAVAILABLE = new Set(["unavailable", "unknown", "none", ""]);
const WATTS_PER_UNIT = { w: 1, kw: 1000, mw: 1000000 };

const TEXT = {
  en: {
    title: "Power flow",
    grid: "Grid",
    solar: "Solar",
    battery: "Battery",
    v2h: "V2H (EV)",
    fuel_cell: "Fuel cell",
    house: "Home",
    buying: "Buying",
    selling: "Selling",
    generating: "Generating",
    charging: "Charging",
    discharging: "Discharging",
    using: "Using",
    idle: "Idle",
    unavailable: "Unavailable",
    missing: "Not found",
    bad_unit: "Wrong unit",
    summary: "Power flow of the house",
    err_object: "The card needs a configuration (an object with `entities`).",
    err_entities: "`entities` is required: at least one of grid, solar, battery, v2h, fuel_cell.",
    err_key: "Unknown key `entities.{key}`; allowed: {allowed}.",
    err_entity: "`entities.{key}` must be an entity id (like sensor.grid_power), got {value}.",
    err_option: "Unknown option `{option}` in `entities.{key}`; allowed: entity, invert, name.",
    err_soc: "`entities.{key}` needs `entities.{node}` as well.",
    err_source: "Configure at least one of grid, solar, battery, v2h, fuel_cell.",
    err_title: "`title` must be text.",
  },
  ja: {
    title: "電気の流れ",
    grid: "電力会社",
    solar: "太陽光",
    battery: "蓄電池",
    v2h: "V2H（電気自動車）",
    fuel_cell: "燃料電池",
    house: "家",
    buying: "買電",
    selling: "売電",
    generating: "発電",
    charging: "充電",
    discharging: "放電",
    using: "消費",
    idle: "待機",
    unavailable: "利用不可",
    missing: "見つかりません",
    bad_unit: "単位が不正",
    summary: "家の電気の流れ",
    err_object: "カードの設定（`entities` を含むオブジェクト）が必要です。",
    err_entities:
      "`entities` は必須です。grid、solar、battery、v2h、fuel_cell のいずれかを指定してください。",
    err_key: "`entities.{key}` は不明なキーです。使えるキー: {allowed}。",
    err_entity:
      "`entities.{key}` にはエンティティ ID（例: sensor.grid_power）を指定してください（指定値: {value}）。",
    err_option: "`entities.{key}` の `{option}` は不明な項目です。使える項目: entity、invert、name。",
    err_soc: "`entities.{key}` には `entities.{node}` も必要です。",
    err_source: "grid、solar、battery、v2h、fuel_cell のいずれかを指定してください。",
    err_title: "`title` は文字列で指定してください。",
  },
};

const ICONS = {
  grid:
    "M8.28,5.45L6.5,4.55L7.76,2H16.23L17.5,4.55L15.72,5.44L15,4H9L8.28,5.45M18.62,8H14.09L13.3,5H10.7L9.91,8H5.38L4.1,10.55L5.89,11.44L6.62,10H17.38L18.1,11.45L19.89,10.56L18.62,8M17.77,22H15.7L15.46,21.1L12,15.9L8.53,21.1L8.3,22H6.23L9.12,11H11.19L10.83,12.35L12,14.1L13.16,12.35L12.81,11H14.88L17.77,22M11.4,15L10.5,13.65L9.32,18.13L11.4,15M14.68,18.12L13.5,13.64L12.6,15L14.68,18.12Z",
  solar:
    "M11.45,2V5.55L15,3.77L11.45,2M10.45,8L8,10.46L11.75,11.71L10.45,8M2,11.45L3.77,15L5.55,11.45H2M10,2H2V10C2.57,10.17 3.17,10.25 3.77,10.25C7.35,10.26 10.26,7.35 10.27,3.75C10.26,3.16 10.17,2.57 10,2M17,22V16H14L19,7V13H22L17,22Z",
  battery:
    "M16 20H8V6H16M16.67 4H15V2H9V4H7.33C6.6 4 6 4.6 6 5.33V20.67C6 21.4 6.6 22 7.33 22H16.67C17.41 22 18 21.41 18 20.67V5.33C18 4.6 17.4 4 16.67 4M15 16H9V19H15V16M15 7H9V10H15V7M15 11.5H9V14.5H15V11.5Z",
  v2h:
    "M18.92 2C18.72 1.42 18.16 1 17.5 1H6.5C5.84 1 5.29 1.42 5.08 2L3 8V16C3 16.55 3.45 17 4 17H5C5.55 17 6 16.55 6 16V15H18V16C18 16.55 18.45 17 19 17H20C20.55 17 21 16.55 21 16V8L18.92 2M6.5 12C5.67 12 5 11.33 5 10.5S5.67 9 6.5 9 8 9.67 8 10.5 7.33 12 6.5 12M17.5 12C16.67 12 16 11.33 16 10.5S16.67 9 17.5 9 19 9.67 19 10.5 18.33 12 17.5 12M5 7L6.5 2.5H17.5L19 7H5M7 20H11V18L17 21H13V23L7 20Z",
  fuel_cell:
    "M6 3V5H4C2.9 5 2 5.9 2 7V17C2 18.1 2.9 19 4 19V20C4 21.1 4.9 22 6 22H7C8.1 22 9 21.1 9 20V19H15V20C15 21.1 15.9 22 17 22H18C19.1 22 20 21.1 20 20V19C21.1 19 22 18.1 22 17H11V5H8V3H6M16 3V5H13V7H22C22 5.9 21.1 5 20 5H18V3H16M7 7V11H9L6 17V13H4L7 7M13 9V11H22V9H13M13 13V15H22V13H13Z",
  house: "M10,20V14H14V20H19V12H22L12,3L2,12H5V20H10Z",
};

/** Colours: Home Assistant's energy palette where it has one (light and dark themes). */
const COLOURS = {
  grid: "var(--energy-grid-consumption-color, #488fc2)",
  grid_out: "var(--energy-grid-return-color, #8353d1)",
  solar: "var(--energy-solar-color, #ff9800)",
  battery: "var(--energy-battery-out-color, #4db6ac)",
  battery_in: "var(--energy-battery-in-color, #f06292)",
  v2h: "var(--hems-v2h-color, #26a69a)",
  fuel_cell: "var(--energy-gas-color, #8e021b)",
  house: "var(--primary-color, #03a9f4)",
};

const RADIUS = 40;
const WIDTH = 400;

/** Where the nodes sit (viewBox units); the house is in the middle. */
function layout(keys) {
  const top = keys.has("solar") || keys.has("fuel_cell");
  const bottom = keys.has("v2h");
  const y0 = top ? 0 : -120;
  const places = { house: [200, 190], grid: [60, 190], battery: [340, 190], v2h: [200, 318] };
  if (keys.has("solar") && keys.has("fuel_cell")) {
    places.solar = [115, 62];
    places.fuel_cell = [285, 62];
  } else {
    places.solar = [200, 62];
    places.fuel_cell = [200, 62];
  }
  const height = (bottom ? 385 : 255) - y0;
  return { places, viewBox: `0 ${y0} ${WIDTH} ${height}`, height };
}

function language(hass) {
  const lang = (hass && ((hass.locale && hass.locale.language) || hass.language)) || "";
  return lang.toLowerCase().startsWith("ja") ? "ja" : "en";
}

function documentLanguage() {
  const lang = (document.documentElement && document.documentElement.lang) || navigator.language;
  return (lang || "").toLowerCase().startsWith("ja") ? "ja" : "en";
}

function format(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

function configError(key, values = {}) {
  return new Error(format(TEXT[documentLanguage()][key], values));
}

/** The configuration, checked and normalised: {title, nodes: {key: {entity, invert, name}}}. */
function normalise(config) {
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    throw configError("err_object");
  }
  if (config.title !== undefined && config.title !== null && typeof config.title !== "string") {
    throw configError("err_title");
  }
  const entities = config.entities;
  if (!entities || typeof entities !== "object" || Array.isArray(entities)) {
    throw configError("err_entities");
  }
  const allowed = [...POWER_KEYS, ...Object.keys(SOC_KEYS)];
  const nodes = {};
  const socs = {};
  for (const [key, value] of Object.entries(entities)) {
    if (!allowed.includes(key)) {
      throw configError("err_key", { key, allowed: allowed.join(", ") });
    }
    const spec = typeof value === "string" ? { entity: value } : value;
    if (!spec || typeof spec !== "object" || Array.isArray(spec)) {
      throw configError("err_entity", { key, value: JSON.stringify(value) });
    }
    for (const option of Object.keys(spec)) {
      if (!["entity", "invert", "name"].includes(option)) {
        throw configError("err_option", { key, option });
      }
    }
    if (typeof spec.entity !== "string" || !ENTITY_ID.test(spec.entity)) {
      throw configError("err_entity", { key, value: JSON.stringify(spec.entity) });
    }
    const entry = {
      entity: spec.entity,
      invert: Boolean(spec.invert),
      name: typeof spec.name === "string" ? spec.name : null,
    };
    if (key in SOC_KEYS) {
      socs[SOC_KEYS[key]] = entry.entity;
    } else {
      nodes[key] = entry;
    }
  }
  for (const [key, node] of Object.entries(SOC_KEYS)) {
    if (socs[node] && !nodes[node]) {
      throw configError("err_soc", { key, node });
    }
  }
  if (!SOURCE_KEYS.some((key) => key in nodes)) {
    throw configError("err_source");
  }
  nodes.house = nodes.house || { entity: null, invert: false, name: null };
  return { title: config.title, nodes, socs };
}

/** A power reading in watts, or a reason it has none. */
function reading(hass, entry) {
  if (!entry.entity) {
    return { state: "computed" };
  }
  const stateObj = hass.states[entry.entity];
  if (!stateObj) {
    return { state: "missing" };
  }
  if (UNAVAILABLE.has(String(stateObj.state).toLowerCase())) {
    return { state: "unavailable" };
  }
  const value = Number(stateObj.state);
  if (!Number.isFinite(value)) {
    return { state: "unavailable" };
  }
  const unit = String((stateObj.attributes || {}).unit_of_measurement || "W").toLowerCase();
  if (!(unit in WATTS_PER_UNIT)) {
    return { state: "bad-unit" };
  }
  const watts = value * WATTS_PER_UNIT[unit] * (entry.invert ? -1 : 1);
  return { state: "ok", watts };
}

/** Which way a signed reading flows: "in" (towards the house), "out" or "none". */
function direction(key, watts) {
  if (Math.abs(watts) < 0.5) {
    return "none";
  }
  // Grid, solar and fuel cell feed the house when positive; battery and V2H take from it.
  const intoHouse = key === "battery" || key === "v2h" ? watts < 0 : watts > 0;
  return intoHouse ? "in" : "out";
}

function statusWord(key, dir) {
  if (dir === "none") {
    return key === "house" ? "using" : "idle";
  }
  switch (key) {
    case "grid":
      return dir === "in" ? "buying" : "selling";
    case "battery":
    case "v2h":
      return dir === "in" ? "discharging" : "charging";
    case "house":
      return "using";
    default:
      return "generating";
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  if (parent) {
    parent.appendChild(element);
  }
  return element;
}

/** A line from a node's edge to the house's edge, with its arrow marker and moving dashes. */
function drawLine(diagram, defs, key, [x, y], [hx, hy]) {
  const length = Math.hypot(hx - x, hy - y);
  const ux = (hx - x) / length;
  const uy = (hy - y) / length;
  const gap = RADIUS + 4;
  const a = [x + ux * gap, y + uy * gap];
  const b = [hx - ux * gap, hy - uy * gap];
  const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const marker = svg(
    "marker",
    {
      id: `arrow-${key}`,
      viewBox: "0 0 10 10",
      refX: 5,
      refY: 5,
      markerWidth: 5,
      markerHeight: 5,
      orient: "auto",
    },
    defs,
  );
  const arrow = svg("path", { d: "M0,0 L10,5 L0,10 z" }, marker);
  const line = svg("path", { class: "line", "data-node": key }, diagram);
  const flow = svg("path", { class: "flow", "data-node": key }, diagram);
  return { line, flow, arrow, a, b, mid };
}

/** A node: ring, icon, value and status inside; its name outside, away from the house. */
function drawNode(diagram, key, [x, y], [, hy]) {
  const group = svg("g", { class: "node", "data-node": key }, diagram);
  const tooltip = svg("title", {}, group);
  const ring = svg("circle", { class: "ring", cx: x, cy: y, r: RADIUS }, group);
  ring.style.stroke = COLOURS[key];
  const transform = `translate(${x - 11} ${y - 33}) scale(0.92)`;
  const icon = svg("path", { class: "icon", d: ICONS[key], transform }, group);
  // The status sits where the ring is still wide enough for "Discharging" (y + 21).
  const value = svg("text", { class: "value", x, y: y + 6, "text-anchor": "middle" }, group);
  const status = svg("text", { class: "status", x, y: y + 21, "text-anchor": "middle" }, group);
  let name = null;
  if (key !== "house") {
    const nameY = y < hy ? y - RADIUS - 9 : y + RADIUS + 18; // above the top row, else below
    name = svg("text", { class: "name", x, y: nameY, "text-anchor": "middle" }, group);
  }
  return { group, tooltip, ring, icon, value, status, name };
}

const STYLE = `
  :host { display: block; height: 100%; }
  ha-card {
    display: flex; flex-direction: column; height: 100%; box-sizing: border-box;
    overflow: hidden;
  }
  .header {
    padding: 12px 16px 0; font-size: var(--ha-card-header-font-size, 24px);
    line-height: 40px; color: var(--ha-card-header-color, var(--primary-text-color));
    font-family: var(--ha-card-header-font-family, inherit);
  }
  .body { flex: 1; min-height: 0; padding: 8px 12px 12px; display: flex; }
  svg.flow-diagram { width: 100%; height: 100%; max-height: 100%; display: block; }
  .line { fill: none; stroke-width: 3; stroke-linecap: round; }
  .line[data-state="idle"] { stroke: var(--divider-color, #e0e0e0); }
  .line[data-state="unavailable"] {
    stroke: var(--disabled-text-color, #bdbdbd); stroke-dasharray: 2 6;
  }
  .flow { fill: none; stroke-width: 3; stroke-linecap: round; stroke-dasharray: 4 12; }
  .flow[data-direction="none"] { display: none; }
  .flow:not([data-direction="none"]) {
    animation: hems-flow var(--flow-duration, 2s) linear infinite;
  }
  @keyframes hems-flow { from { stroke-dashoffset: 32; } to { stroke-dashoffset: 0; } }
  @media (prefers-reduced-motion: reduce) {
    .flow:not([data-direction="none"]) { animation: none; }
  }
  .ring { fill: var(--ha-card-background, var(--card-background-color, #fff)); stroke-width: 3; }
  .icon { fill: var(--secondary-text-color, #727272); }
  .value { font-size: 13px; font-weight: 600; fill: var(--primary-text-color, #212121); }
  .status { font-size: 11px; fill: var(--secondary-text-color, #727272); }
  .name { font-size: 12px; fill: var(--secondary-text-color, #727272); }
  .node:not([data-state="flowing"]):not([data-state="idle"]) .value {
    fill: var(--error-color, #db4437); font-size: 10px; font-weight: 500;
  }
  text { font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, sans-serif)); }
`;

class HemsPowerFlowCard extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._config = null;
    this._hass = null;
    this._built = null;
    this._seen = null;
  }

  /** HA calls this with the card's YAML; a bad configuration throws (shown as an error card). */
  setConfig(config) {
    this._config = normalise(config);
    this._built = null;
    this._seen = null;
    this._render();
  }

  set hass(hass) {
    this._hass = hass;
    this._render();
  }

  get hass() {
    return this._hass;
  }

  /** Height in units of 50 px (masonry view). */
  getCardSize() {
    if (!this._config) {
      return 6;
    }
    const { height } = layout(new Set(Object.keys(this._config.nodes)));
    return Math.ceil(height / 62) + (this._config.title === "" ? 0 : 1);
  }

  /** Size in the sections view (12 columns; rows of 56 px). */
  getGridOptions() {
    const rows = this._config ? Math.max(4, this.getCardSize()) : 6;
    return { columns: 12, rows, min_columns: 6, min_rows: 4 };
  }

  /** A first configuration for the card picker: the hems power sensors this house has. */
  static getStubConfig(hass) {
    const roles = {
      grid_power: "grid",
      solar_power: "solar",
      battery_power: "battery",
      ev_power: "v2h",
      generation_power: "fuel_cell",
      house_power: "house",
      state_of_charge: "battery_soc",
      vehicle_state_of_charge: "v2h_soc",
    };
    const entities = {};
    const registry = (hass && hass.entities) || {};
    for (const entry of Object.values(registry)) {
      const role = entry.platform === "hems" ? roles[entry.translation_key] : undefined;
      if (role && !entities[role] && entry.entity_id.startsWith("sensor.")) {
        entities[role] = entry.entity_id;
      }
    }
    for (const [soc, node] of Object.entries(SOC_KEYS)) {
      if (entities[soc] && !entities[node]) {
        delete entities[soc];
      }
    }
    if (!SOURCE_KEYS.some((key) => key in entities)) {
      entities.grid = "sensor.grid_power";
    }
    return { entities };
  }

  _text() {
    return TEXT[language(this._hass)];
  }

  _render() {
    if (!this._config || !this._hass) {
      return;
    }
    const lang = language(this._hass);
    if (!this._built || this._built.lang !== lang) {
      this._build(lang);
      this._seen = null; // a new drawing needs every value
    }
    const watched = [
      ...Object.values(this._config.nodes).map((n) => n.entity),
      ...Object.values(this._config.socs),
    ].filter(Boolean);
    const seen = watched.map((id) => this._hass.states[id]);
    if (this._seen && seen.every((s, i) => s === this._seen[i])) {
      return;
    }
    this._seen = seen;
    this._update();
  }

  _build(lang) {
    const text = TEXT[lang];
    const keys = new Set(Object.keys(this._config.nodes));
    const { places, viewBox } = layout(keys);
    const root = this.shadowRoot;
    root.innerHTML = "";
    const style = document.createElement("style");
    style.textContent = STYLE;
    root.appendChild(style);
    const card = document.createElement("ha-card");
    root.appendChild(card);
    const title = this._config.title === undefined || this._config.title === null
      ? text.title
      : this._config.title;
    if (title) {
      const header = document.createElement("div");
      header.className = "header";
      header.textContent = title;
      card.appendChild(header);
    }
    const body = document.createElement("div");
    body.className = "body";
    card.appendChild(body);
    const diagram = svg("svg", {
      class: "flow-diagram",
      viewBox,
      role: "img",
      preserveAspectRatio: "xMidYMid meet",
    });
    body.appendChild(diagram);
    const defs = svg("defs", {}, diagram);
    const parts = { lang, diagram, nodes: {}, lines: {} };
    const present = POWER_KEYS.filter((key) => keys.has(key));
    // Lines first (under the nodes).
    for (const key of present.filter((k) => k !== "house")) {
      parts.lines[key] = drawLine(diagram, defs, key, places[key], places.house);
    }
    for (const key of present) {
      parts.nodes[key] = drawNode(diagram, key, places[key], places.house);
    }
    this._built = parts;
  }

  _formatWatts(watts) {
    const lang = language(this._hass);
    const abs = Math.abs(watts);
    if (abs >= 1000) {
      const kw = new Intl.NumberFormat(lang, {
        minimumFractionDigits: abs >= 10000 ? 1 : 2,
        maximumFractionDigits: abs >= 10000 ? 1 : 2,
      }).format(abs / 1000);
      return `${kw} kW`;
    }
    return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(abs)} W`;
  }

  _soc(node) {
    const id = this._config.socs[node];
    const stateObj = id && this._hass.states[id];
    if (!stateObj || UNAVAILABLE.has(String(stateObj.state).toLowerCase())) {
      return null;
    }
    const value = Number(stateObj.state);
    return Number.isFinite(value) ? `${Math.round(value)} %` : null;
  }

  /** Readings of every node; the house's is computed when it has no entity of its own. */
  _readings() {
    const readings = {};
    for (const [key, entry] of Object.entries(this._config.nodes)) {
      readings[key] = reading(this._hass, entry);
    }
    if (readings.house.state === "computed") {
      const sources = SOURCE_KEYS.filter((key) => key in readings);
      if (sources.every((key) => readings[key].state === "ok")) {
        const sign = (key) => (key === "battery" || key === "v2h" ? -1 : 1);
        const watts = sources.reduce((sum, key) => sum + sign(key) * readings[key].watts, 0);
        readings.house = { state: "ok", watts: Math.max(0, watts) };
      } else {
        readings.house = { state: "unavailable" };
      }
    }
    return readings;
  }

  _update() {
    const text = this._text();
    const readings = this._readings();
    const summary = [];
    for (const [key, parts] of Object.entries(this._built.nodes)) {
      const entry = this._config.nodes[key];
      const found = readings[key];
      const ok = found.state === "ok";
      const dir = ok ? direction(key, found.watts) : "none";
      const state = ok ? (dir === "none" && key !== "house" ? "idle" : "flowing") : found.state;
      const word = ok ? text[statusWord(key, dir)] : "";
      const problem = { unavailable: "unavailable", missing: "missing", "bad-unit": "bad_unit" };
      const shown = ok ? this._formatWatts(found.watts) : text[problem[found.state]];
      parts.group.setAttribute("data-state", state);
      parts.group.setAttribute("data-direction", dir);
      parts.value.textContent = shown;
      parts.status.textContent = word;
      const label = entry.name || text[key];
      const soc = key in SOC_KEYS_BY_NODE ? this._soc(key) : null;
      if (parts.name) {
        parts.name.textContent = soc ? `${label} ${soc}` : label;
      }
      let colour = COLOURS[key];
      if (ok && key === "grid" && dir === "out") colour = COLOURS.grid_out;
      if (ok && key === "battery" && dir === "out") colour = COLOURS.battery_in;
      parts.ring.style.stroke = ok ? colour : "var(--disabled-text-color, #bdbdbd)";
      const detail = ok ? `${word} ${shown}` : shown;
      parts.tooltip.textContent = `${label}: ${detail}${entry.entity ? ` (${entry.entity})` : ""}`;
      summary.push(`${label}: ${detail}${soc ? ` ${soc}` : ""}`);
      const line = this._built.lines[key];
      if (line) {
        this._updateLine(key, line, ok ? found.watts : null, dir, colour);
      }
    }
    this._built.diagram.setAttribute("aria-label", `${text.summary}. ${summary.join(", ")}`);
  }

  _updateLine(key, line, watts, dir, colour) {
    const [from, to] = dir === "out" ? [line.b, line.a] : [line.a, line.b];
    const d = `M${from[0]},${from[1]} L${line.mid[0]},${line.mid[1]} L${to[0]},${to[1]}`;
    line.line.setAttribute("d", d);
    line.flow.setAttribute("d", d);
    line.line.setAttribute("data-state", watts === null ? "unavailable" : "idle");
    line.flow.setAttribute("data-direction", dir);
    if (dir === "none") {
      line.line.removeAttribute("marker-mid");
      line.line.style.stroke = "";
      line.line.style.strokeOpacity = "";
      return;
    }
    line.line.setAttribute("marker-mid", `url(#arrow-${key})`);
    line.line.style.stroke = colour;
    line.line.style.strokeOpacity = "0.35";
    line.arrow.style.fill = colour;
    line.flow.style.stroke = colour;
    // Faster dashes for more power: 3 s per cycle at 1 kW, between 0.6 s and 6 s.
    const seconds = Math.min(6, Math.max(0.6, 3 / Math.sqrt(Math.abs(watts) / 1000)));
    line.flow.style.setProperty("--flow-duration", `${seconds.toFixed(2)}s`);
  }
}

/**
 * Define the card in the page's registry (once per registry).  Home Assistant's frontend
 * installs a scoped custom-element registry polyfill when its app bundle loads, replacing
 * `window.customElements`; this module is loaded in parallel, and a definition made before the
 * swap is invisible to the new registry (the dashboard would wait for the card forever).  So
 * the card is defined now and again once Home Assistant's app element is defined (by then
 * the polyfill is in place); each registry gets its own subclass (a constructor can be
 * defined once per registry).
 */
function register() {
  if (customElements.get(CARD_TYPE)) {
    return;
  }
  customElements.define(CARD_TYPE, class extends HemsPowerFlowCard {});
  window.customCards = window.customCards || [];
  if (!window.customCards.some((card) => card.type === CARD_TYPE)) {
    window.customCards.push({
      type: CARD_TYPE,
      name: "HEMS power flow / 電気の流れ",
      description:
        "Live power between grid, solar, battery, V2H, fuel cell and home / 買電・売電・発電・充放電・消費の流れ",
      preview: true,
      documentationURL: "https://github.com/hems-dev/hems",
    });
    // eslint-disable-next-line no-console
    console.info(`%c${CARD_TYPE} ${CARD_VERSION}`, "color: #03a9f4");
  }
}

register();
customElements.whenDefined("home-assistant").then(register);
