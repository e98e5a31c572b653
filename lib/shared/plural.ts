const RULES = new Intl.PluralRules('en');

/** A count with its English noun in the right number: `counted(1, 'file')` is "1 file", `counted(2, 'file')` "2 files". */
export function counted(n: number, one: string, other = `${one}s`, shown: string = String(n)): string {
  return `${shown} ${RULES.select(n) === 'one' ? one : other}`;
}
