// The path through a survey: which question follows an answer (branching as the
// backend's SurveyContent defines it), and whether an answer is complete. Pure
// functions, so the rules can be tested without a page.

export const END = "end";

/** The answer as the branch key the backend uses: "7" for nps 7, the option for single. */
function branchKey(question, value) {
  if (question.type === "multi") {
    // The first chosen option, in option order, that has a branch decides.
    const chosen = new Set(Array.isArray(value) ? value : []);
    return (question.options ?? []).find((o) => chosen.has(o) && question.next && Object.hasOwn(question.next, o)) ?? null;
  }
  if (question.type === "text") return null;
  return value === undefined || value === null ? null : String(value);
}

/**
 * The index of the question after `index` given `value`, or -1 when the survey ends.
 * @param {{id: string, type: string, options?: string[], next?: Record<string, string>}[]} questions
 */
export function nextIndex(questions, index, value) {
  const q = questions[index];
  const key = branchKey(q, value);
  const target = key !== null && q.next && Object.hasOwn(q.next, key) ? q.next[key] : undefined;
  if (target === END) return -1;
  if (typeof target === "string") {
    const at = questions.findIndex((other) => other.id === target);
    // Only forward jumps (the backend refuses others); anything else falls through.
    if (at > index) return at;
  }
  return index + 1 < questions.length ? index + 1 : -1;
}

/** The top of a question's scale and its lowest value. */
export function scaleOf(question) {
  if (question.type === "nps") return { min: 0, max: 10 };
  if (question.type === "csat") return { min: 1, max: 5 };
  if (question.type === "rating") return { min: 1, max: question.scale === 10 ? 10 : 5 };
  return null;
}

/** Is `value` an answer the backend accepts for `question`? */
export function validAnswer(question, value) {
  const scale = scaleOf(question);
  if (scale) return Number.isInteger(value) && value >= scale.min && value <= scale.max;
  if (question.type === "single") return typeof value === "string" && (question.options ?? []).includes(value);
  if (question.type === "multi") {
    return Array.isArray(value) && value.length > 0 && value.every((v) => (question.options ?? []).includes(v));
  }
  if (question.type === "text") return typeof value === "string" && value.trim().length > 0 && value.length <= 5000;
  return false;
}

/**
 * Where an unfinished response stands: the questions answered along its path and the
 * first one still open. Answers that no longer fit the questions are dropped.
 */
export function resumePoint(questions, saved) {
  const answers = {};
  const path = [];
  let index = 0;
  while (index !== -1 && saved && validAnswer(questions[index], saved[questions[index].id])) {
    const value = saved[questions[index].id];
    answers[questions[index].id] = value;
    const following = nextIndex(questions, index, value);
    if (following === -1) break; // answered to the end but not sent as complete: ask the last again
    path.push(index);
    index = following;
  }
  return { answers, path, index: index === -1 ? 0 : index };
}
