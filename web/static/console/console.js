// The operations console: sign in (password, then SMS code), then the live board of permit
// status changes, the counters and the per-day chart, in Arabic or English.

import { graphqlRequest } from "./api.js";
import { applyLanguage, initialLanguage, text } from "./i18n.js";
import { LiveBoard } from "./live-board.js";
import { Session, UserError } from "./session.js";
import { boardRange, renderChart, renderCounters } from "./statistics.js";

const config = JSON.parse(document.getElementById("console-config").textContent);
const documents = config.documents;
const MAX_ROWS = 200;
const STATISTICS_DELAY_MS = 400;

const element = (id) => document.getElementById(id);
const session = new Session(documents["frontend/Login"], documents["frontend/Session"]);
const events = []; // newest first
let language = initialLanguage();
let connectionState = "signed-out";
let statisticsTimer = null;
let lastStatistics = null;

const board = new LiveBoard({
  document: documents["dashboard/LivePermits"],
  onEvent: (event) => {
    events.unshift(event);
    events.length = Math.min(events.length, MAX_ROWS);
    renderRows();
    scheduleStatistics();
  },
  onState: (state, error) => {
    showConnection(state);
    // The session was revoked (logged out elsewhere, a refresh token replayed) or could not
    // be refreshed: sign in again.
    if (state === "failed" && error && (error.code === 4401 || error.code === 4400)) signOut();
  },
});

function showConnection(state) {
  connectionState = state;
  const badge = element("connection");
  badge.dataset.state = state;
  badge.textContent = text(language).states[state];
}

function maskedId(nationalId) {
  return nationalId ? `••••••${nationalId.slice(-4)}` : "";
}

function formatTime(instant) {
  return new Intl.DateTimeFormat(language === "ar" ? "ar-SA-u-nu-arab" : "en-GB", {
    timeZone: "Asia/Riyadh",
    dateStyle: "short",
    timeStyle: "medium",
  }).format(new Date(instant));
}

function cell(row, content, className) {
  const td = document.createElement("td");
  td.textContent = content;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function renderRows() {
  const words = text(language);
  const rows = events.map((event) => {
    const row = document.createElement("tr");
    row.dataset.cursor = event.cursor;
    row.dataset.permit = event.permit.number;
    row.dataset.status = event.status;
    cell(row, event.permit.number, "number");
    cell(row, maskedId(event.permit.traveller && event.permit.traveller.nationalId), "number");
    const from = event.previousStatus ? words.status[event.previousStatus] : words.new;
    const arrow = language === "ar" ? "←" : "→";
    const change = cell(row, `${from} ${arrow} ${words.status[event.status]}`, "status");
    change.dataset.status = event.status;
    cell(row, event.reason ? event.reason.message : "");
    cell(row, formatTime(event.at));
    return row;
  });
  element("board-rows").replaceChildren(...rows);
}

function renderStatistics() {
  if (!lastStatistics) return;
  const words = text(language);
  renderCounters(element("counters"), lastStatistics, words);
  renderChart(element("chart"), lastStatistics, words, { rightToLeft: language === "ar" });
}

async function loadStatistics() {
  try {
    const data = await graphqlRequest(documents["dashboard/PermitBoard"], "PermitBoard", boardRange(), {
      token: await session.accessToken(),
      language,
    });
    lastStatistics = data.permitStatistics;
    renderStatistics();
  } catch (error) {
    console.warn("PermitBoard failed", error);
  }
}

// Many events in a burst make one PermitBoard request.
function scheduleStatistics() {
  clearTimeout(statisticsTimer);
  statisticsTimer = setTimeout(loadStatistics, STATISTICS_DELAY_MS);
}

function startLiveBoard() {
  board.start({
    connectionParams: async () => ({
      Authorization: `Bearer ${await session.accessToken()}`,
      "Accept-Language": language,
    }),
  });
}

function showSignedIn(signedIn) {
  element("sign-in").hidden = signedIn;
  element("dashboard").hidden = !signedIn;
  element("sign-out").hidden = !signedIn;
}

function signOut() {
  board.stop();
  session.signOut();
  showSignedIn(false);
  showConnection("signed-out");
  element("password-step").hidden = false;
  element("code-step").hidden = true;
  element("password-step").reset();
  element("code-step").reset();
}

function reportError(error) {
  element("sign-in-error").textContent = error instanceof UserError ? error.message : text(language).failed;
  if (!(error instanceof UserError)) console.error(error);
}

element("password-step").addEventListener("submit", async (submitted) => {
  submitted.preventDefault();
  element("sign-in-error").textContent = "";
  const form = new FormData(submitted.target);
  const nationalId = form.get("nationalId").trim();
  try {
    const destination = await session.start(nationalId, form.get("password"));
    element("code-sent").textContent = text(language).codeSent(destination);
    const hint = element("demo-hint");
    hint.hidden = !config.demo;
    hint.textContent = text(language).demoHint(nationalId);
    element("password-step").hidden = true;
    element("code-step").hidden = false;
    element("code-step").elements.code.focus();
  } catch (error) {
    reportError(error);
  }
});

element("code-step").addEventListener("submit", async (submitted) => {
  submitted.preventDefault();
  element("sign-in-error").textContent = "";
  try {
    await session.complete(new FormData(submitted.target).get("code").trim());
    showSignedIn(true);
    startLiveBoard();
    loadStatistics();
  } catch (error) {
    reportError(error);
  }
});

element("sign-out").addEventListener("click", signOut);

element("language").addEventListener("click", () => {
  language = language === "ar" ? "en" : "ar";
  session.language = language;
  applyLanguage(language);
  showConnection(connectionState);
  renderRows();
  renderStatistics();
  // Reasons come from the server in the connection's language: reconnect from the last cursor.
  if (session.signedIn) startLiveBoard();
});

session.language = language;
applyLanguage(language);
showConnection("signed-out");
