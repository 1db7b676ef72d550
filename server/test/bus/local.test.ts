import { LocalBusHub } from '../../src/index.js';
import { describeDocumentBus } from './bus-acceptance.js';

describeDocumentBus('in-process (LocalBusHub)', {
  create: async (count) => {
    const hub = new LocalBusHub();
    return { buses: Array.from({ length: count }, () => hub.connect()), cleanup: async () => {} };
  },
});
