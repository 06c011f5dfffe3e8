// One node folder (nodes/Rivya, nodes/RivyaTrigger, nodes/RivyaChatModel) never imports another: what
// several nodes use lives in nodes/shared. A config of its own because n8n's strict mode requires
// eslint.config.mjs to stay n8n's default; `npm run lint` runs both.
import { config } from '@n8n/node-cli/eslint';

const NODE_FOLDERS = ['Rivya', 'RivyaTrigger', 'RivyaChatModel'];

// n8n's TypeScript parser, and its plugins so the rule names in eslint-disable comments resolve.
const typescript = config.find((entry) => entry.name === 'typescript-eslint/base');
const plugins = Object.assign({}, ...config.map((entry) => entry.plugins ?? {}));

const noSiblingNodeImports = NODE_FOLDERS.map((folder) => {
	const others = NODE_FOLDERS.filter((other) => other !== folder);
	return {
		files: [`nodes/${folder}/**/*.ts`],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: `^(\\.\\./)+(${others.join('|')})(/|$)`,
							message: `nodes/${folder} must not import another node's folder: move what both use into nodes/shared.`,
						},
					],
				},
			],
		},
	};
});

export default [
	{ ignores: ['dist/**'] },
	{
		files: ['**/*.ts'],
		languageOptions: typescript.languageOptions,
		plugins,
		linterOptions: { reportUnusedDisableDirectives: 'off' },
	},
	...noSiblingNodeImports,
];
