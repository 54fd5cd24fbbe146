// The consoles in a browser, for the issue-13 page suites (ui_console_*.test.mjs).

/** Signs `who` ({email, password}) in to the console in `page` through the console app's hosted sign-in page. */
export async function consoleSignIn(page, base, who, landing = '/console') {
  await page.goto(`${base}${landing}`);
  await page.getByLabel('Email or username').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}${landing}`);
}
