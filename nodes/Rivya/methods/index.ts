import { getChatReasoningEfforts, searchChatModels } from '../../shared/chatModel';
import * as nodeListSearch from './listSearch';
import * as resourceMapping from './resourceMapping';

// The chat model's list and options are shared with the Rivya Chat Model node (shared/chatModel.ts).
const listSearch = { ...nodeListSearch, searchChatModels };
const loadOptions = { getChatReasoningEfforts };

export { listSearch, loadOptions, resourceMapping };
