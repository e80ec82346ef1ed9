/** How a panel runs an operator's action: the page reports the outcome and reloads its data. */
export type Act = (description: string, work: () => Promise<unknown>) => Promise<void>;
