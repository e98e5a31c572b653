import { checkbox, input, select } from '@inquirer/prompts';
import type { Prompter } from './answers.ts';

/** The terminal's prompts (@inquirer/prompts) behind the Prompter port. */
export const inquirerPrompter: Prompter = {
  input: (question) => input({ message: question.message, default: question.default, validate: question.validate }),
  select: (question) => select({ message: question.message, choices: question.choices, default: question.default }),
  checkbox: (question) =>
    checkbox({
      message: question.message,
      choices: question.choices,
      validate: question.validate ? (chosen) => question.validate!(chosen.map((c) => c.value)) : undefined,
    }),
};
