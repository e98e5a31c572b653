/**
 * The watch loop of `hall dev` and `hall dev --site`: rebuild once per burst of saves (250 ms quiet), and a save
 * during a rebuild queues exactly one more. `settle()` cancels a pending rebuild and waits for a running one,
 * so a stopping preview never leaves a half-written build behind.
 */
export function rebuildOnSave(rebuild: () => Promise<void>, onError: (error: unknown) => void): { schedule: () => void; settle: () => Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (running) {
        again = true;
        return;
      }
      do {
        again = false;
        running = rebuild().catch(onError);
        await running;
        running = undefined;
      } while (again);
    }, 250);
  };
  const settle = async () => {
    clearTimeout(timer);
    await running;
  };
  return { schedule, settle };
}
