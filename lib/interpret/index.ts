/**
 * The reference interpreter as a library: run a compiled workflow, validate a submission, evaluate FEEL
 * within its budget, render a notification template, run a scenario. Import as `servicehall/interpret`;
 * `servicehall/runtime` re-exports what a runtime needs together with the loader.
 */
export type { RuntimeCalendar } from '../../generated/types/runtime/calendar.ts';
export type { RuntimeDefinition, RuntimeNode, RuntimeStep, RuntimeField, RuntimePublicity, RuntimePayment } from '../../generated/types/runtime/definition.ts';
export type { Scenario } from '../../generated/types/service.ts';
export { WorkCalendar, nextDay } from './calendar.ts';
export { runWorkflow, resolveScope, resolveDepartment, assignmentReference, missingReference, unassignedMessage, offsetOf } from './interpret.ts';
export type { Action, Decision, RunInput, RunResult, TimelineEntry, Notification, Unassigned } from './interpret.ts';
export { validateSubmission, validateStepData, routingFields, conditionHolds, idCardChecksumOk } from './validate-submission.ts';
export type { Directory, FieldError } from './validate-submission.ts';
export { evaluateFeel, inspectFeel, FEEL_LIMITS, DEFAULT_CLOCK } from './feel.ts';
export type { FeelFailure, FeelFailureKind, FeelOutcome } from './feel.ts';
export { renderTemplate, inspectTemplate, TemplateError } from './notification-template.ts';
export type { TemplateInspection, TemplateProblem } from './notification-template.ts';
export { linearRegExp, PatternError, MAX_PATTERN_LENGTH, MAX_VALUE_LENGTH } from './pattern.ts';
export type { LinearRegExp } from './pattern.ts';
export { runScenario, DEFAULT_SUBMITTED_AT } from './scenarios.ts';
export type { ScenarioOutcome } from './scenarios.ts';
// Countersign variants and routing (issue 15): shared by the interpreter, the runtime and the BPMN export.
export { countersignMembers, approvalsNeeded, tally } from './countersign.ts';
export { routeStep } from './fallback.ts';
// Publicity periods (issue 15.2, docs/publicity.md): the decisions a runtime records and the period on the calendar.
export { OBJECT, CLOSE, REASON_MAX, publicityPeriod, publicitySteps, objectionVariable } from './publicity.ts';
// Payment steps (issue 15.9b, docs/payment.md): the decisions a runtime records, the period, the order id.
export { PAID, TIMEOUT, paymentPeriod, paymentSteps, paidVariable, orderIdOf } from './payment.ts';
export { decisionFeel, expandDecisions, parseUnaryTest } from './decision.ts';
export type { DecisionTable, UnaryTest } from './decision.ts';
