import { chat } from './chat';
import { credit } from './credit';
import { file } from './file';
import { generation } from './generation';
import { model } from './model';
import { webhook } from './webhook';

export const resources = { chat, credit, file, generation, model, webhook };
