/**
 * Entry of the standalone `quire-editor.js` bundle (all dependencies included): one
 * `<script type="module" src="…/quire-editor.js">` registers `<quire-editor>` on any page.
 */
import { defineQuireEditor } from './element.js';

export * from './index.js';

defineQuireEditor();
