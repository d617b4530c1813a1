// The survey bundle (dist/survey.js, an ES module): content.js imports it
// (renderers/survey.js) only on a page where a survey is targeted.
//
// Life of a survey here: wait for its trigger (page view, click on a selector, an
// event or a completed tour reported by any tab, the Nth visit, time on page), then
// its delay; ask the server, through the worker, whether it may show (cooldown,
// sampling, dismissals, snoozes, caps: all decided there, the same on every device);
// show the card, report the display, and save each answer as the user goes (one
// response id per display, partial then complete). The worker queues what it sends.

import { MSG } from "../../shared/messages.js";
import { send } from "../bridge.js";
import { guard } from "../safe.js";
import { adoptSheet, h } from "../sheets.js";
import { nextIndex, resumePoint, validAnswer } from "./flow.js";
import { CSS, questionControl } from "./view.js";

const POLL_MS = 2000;
const SNOOZE_DAYS = 1;
const THANKS = "Thank you for your feedback!";

const ask = (msg) => send({ type: MSG.CONTENT_SURVEY, ...msg });

/**
 * Resolve when the survey's trigger fires (or never, if the page goes away first).
 * @param {object|undefined} trigger the content's trigger
 * @param {number} id the survey's id
 * @param {AbortSignal} signal
 */
export function waitForTrigger(trigger, id, signal) {
  const loadedAt = Date.now();
  return new Promise((resolve) => {
    const type = trigger?.type ?? "page_view";
    if (type === "page_view") return resolve();
    if (type === "time_on_page") {
      const timer = setTimeout(resolve, trigger.seconds * 1000);
      signal.addEventListener("abort", () => clearTimeout(timer));
      return undefined;
    }
    if (type === "nth_visit") {
      ask({ op: "visit", experience_id: id }).then((answer) => {
        if (answer?.ok && answer.count >= trigger.n) resolve();
      });
      return undefined;
    }
    if (type === "click") {
      const onClick = guard((event) => {
        const target = event.target instanceof Element ? event.target : null;
        let hit = false;
        try {
          hit = Boolean(target?.closest(trigger.selector));
        } catch {
          hit = false; // an invalid selector never matches
        }
        if (hit) {
          document.removeEventListener("click", onClick, true);
          resolve();
        }
      }, "survey click trigger");
      document.addEventListener("click", onClick, { capture: true, passive: true, signal });
      return undefined;
    }
    if (type === "event" || type === "tour_completed") {
      // Events reach the worker from every tab; a tour completed here arrives the same way.
      const query = type === "event" ? { event: trigger.event } : { tour_id: trigger.tour_id };
      const poll = guard(async () => {
        if (signal.aborted) return;
        if (document.visibilityState === "visible") {
          const answer = await ask({ op: "seen", since: loadedAt, ...query });
          if (answer?.seen) return resolve();
        }
        if (!signal.aborted) setTimeout(poll, POLL_MS);
      }, "survey event trigger");
      setTimeout(poll, POLL_MS);
    }
    return undefined;
  });
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => clearTimeout(timer));
  });

/**
 * @param {object} experience a Published survey
 * @param {import("../renderers/common.js").RendererContext & {preview?: boolean}} ctx
 */
export function initSurvey(experience, ctx) {
  const { signal } = ctx;
  const exp = experience;
  const c = exp.content ?? {};
  const questions = Array.isArray(c.questions) ? c.questions : [];
  if (!questions.length) return {};

  (async () => {
    if (!ctx.preview) {
      await waitForTrigger(c.trigger, exp.id, signal);
      if (signal.aborted) return;
      if (c.delay_seconds > 0) await sleep(c.delay_seconds * 1000, signal);
      if (signal.aborted) return;
      const verdict = await ask({ op: "eligibility", ids: [exp.id] });
      const mine = verdict?.ok ? verdict.surveys.find((s) => s.id === exp.id) : null;
      if (!mine?.eligible || signal.aborted) return;
      // A survey interrupts: the workspace's interruption budget has the last word.
      const budget = await send({ type: MSG.CONTENT_INTERRUPTION, experience_id: exp.id, version: exp.version });
      if (budget?.allowed !== true || signal.aborted) return;
    }
    const resumed = ctx.preview ? null : await ask({ op: "resume", experience_id: exp.id, version: exp.version });
    if (signal.aborted) return;
    showCard(exp, questions, ctx, resumed?.ok ? resumed.draft : null);
  })().catch(() => {});

  return {
    // A new version of a survey on screen keeps the answers' version (the one rendered).
    update: () => true,
  };
}

/** @param {{id: string, answers: object}|null} draft an unfinished response to go on with */
function showCard(exp, questions, ctx, draft) {
  const c = exp.content;
  const preview = Boolean(ctx.preview);
  const valid = draft && typeof draft.id === "string" && draft.answers && typeof draft.answers === "object";
  // One response id per display; a survey shown again before it was finished goes on with its own.
  const responseId = valid ? draft.id : crypto.randomUUID();
  const start = resumePoint(questions, valid ? draft.answers : null);
  const answers = start.answers;
  const path = start.path; // indexes shown, for Back
  let index = start.index;
  let control = null;

  const titleId = `nl-survey-title-${exp.id}`;
  const count = h("span", { class: "nl-count", id: titleId });
  const head = h("div", { class: "nl-survey-head" }, [count]);
  if (c.anonymous) {
    head.append(h("span", { class: "nl-survey-anon", title: "Your name is not stored with your answers", text: "Anonymous" }));
  }
  const body = h("div", { class: "nl-survey-body" });
  const error = h("p", { class: "nl-survey-error", role: "alert" });
  const back = h("button", { type: "button", "data-nudgelayer-action": "back", text: "Back" });
  const next = h("button", { type: "submit", class: "nl-primary", "data-nudgelayer-action": "next", text: "Next" });
  const snooze = h("button", { type: "button", class: "nl-quiet", "data-nudgelayer-action": "snooze", text: "Not now" });
  const dismiss = h("button", { type: "button", class: "nl-quiet", "data-nudgelayer-action": "dismiss", text: "Don't ask again" });
  const actions = h("div", { class: "nl-survey-actions" }, [back, next, h("span", { class: "nl-spacer" }), snooze, dismiss]);
  const form = h("form", { novalidate: true }, [body, error, actions]);
  const card = h(
    "section",
    {
      role: "dialog",
      "aria-labelledby": titleId,
      class: "nl-survey",
      "data-nudgelayer-kind": "survey",
      "data-nudgelayer-experience-id": exp.id,
      "data-nudgelayer-version": exp.version,
    },
    [head, form],
  );

  const display = (action, extra = {}) => {
    if (preview) return;
    ask({ op: "display", experience_id: exp.id, id: crypto.randomUUID(), action, url: location.href, ...extra });
  };
  const save = (completed) => {
    if (preview) return;
    ask({
      op: "answer",
      id: responseId,
      experience_id: exp.id,
      version: exp.version,
      answers: { ...answers },
      completed,
      url: location.href,
      anonymous: c.anonymous === true,
    });
  };
  const close = () => card.remove();

  // "Submit" when the answer chosen ends the survey (the last question, or a branch to "end").
  const label = () => {
    const value = control?.read();
    const ends = validAnswer(questions[index], value) ? nextIndex(questions, index, value) === -1 : index === questions.length - 1;
    next.textContent = ends ? "Submit" : "Next";
  };
  form.addEventListener("change", guard(label, "survey label"));

  const render = (focus) => {
    const q = questions[index];
    count.textContent = `Survey \u00b7 question ${path.length + 1} of ${questions.length}`;
    control = questionControl(q, answers[q.id]);
    body.replaceChildren(control.el);
    card.dataset.nudgelayerQuestion = q.id;
    card.dataset.nudgelayerStep = String(index);
    error.textContent = "";
    back.hidden = path.length === 0;
    label();
    if (focus) control.focusTarget()?.focus({ preventScroll: true });
  };

  const thanks = () => {
    delete card.dataset.nudgelayerQuestion;
    card.dataset.nudgelayerStep = "thanks";
    count.textContent = "Done";
    const message = h("p", { class: "nl-survey-thanks", tabindex: "-1", text: c.thank_you || THANKS });
    const done = h("button", { type: "button", class: "nl-primary", "data-nudgelayer-action": "close", text: "Close" });
    done.addEventListener("click", guard(close, "survey close"));
    form.replaceWith(h("div", { role: "status" }, [message, h("div", { class: "nl-survey-actions" }, [done])]));
    done.focus({ preventScroll: true });
  };

  form.addEventListener(
    "submit",
    guard((event) => {
      event.preventDefault();
      const q = questions[index];
      const value = control.read();
      if (!validAnswer(q, value)) {
        error.textContent = q.type === "text" ? "Please write an answer, or choose Not now." : "Please choose an answer.";
        control.focusTarget()?.focus({ preventScroll: true });
        return;
      }
      answers[q.id] = value;
      const following = nextIndex(questions, index, value);
      // Answers given on a branch not taken are not sent.
      if (following === -1) {
        for (const other of questions.slice(index + 1)) delete answers[other.id];
        save(true);
        thanks();
        return;
      }
      for (const other of questions.slice(index + 1, following)) delete answers[other.id];
      save(false);
      path.push(index);
      index = following;
      render(true);
    }, "survey next"),
  );
  back.addEventListener(
    "click",
    guard(() => {
      if (!path.length) return;
      index = path.pop();
      render(true);
    }, "survey back"),
  );
  snooze.addEventListener(
    "click",
    guard(() => {
      display("snoozed", { snooze_days: SNOOZE_DAYS });
      close();
    }, "survey snooze"),
  );
  dismiss.addEventListener(
    "click",
    guard(() => {
      display("dismissed");
      close();
    }, "survey dismiss"),
  );
  card.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      display("snoozed", { snooze_days: SNOOZE_DAYS });
      close();
    }
  });

  const shadow = ctx.overlay.root();
  adoptSheet(shadow, "survey", CSS);
  render(false);
  shadow.append(card);
  ctx.signal.addEventListener("abort", close);
  display("shown");
  ctx.viewed();
}
