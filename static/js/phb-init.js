// Starts the NHS.UK frontend's components (header menu, error summary, ...) on every page.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
