// The nodes' parameters are a contract with every saved workflow: n8n stores parameter values by name, and
// a renamed parameter, a changed type or a changed default silently changes what old workflows do. These
// tests make such a change deliberate: the snapshot below must be updated (and the node version bumped
// when saved workflows would behave differently).
import type { INodeProperties, INodePropertyCollection, INodeTypeDescription } from 'n8n-workflow';

import { Rivya } from '../../nodes/Rivya/Rivya.node';
import { resources } from '../../nodes/Rivya/actions/resources';
import { RivyaChatModel } from '../../nodes/RivyaChatModel/RivyaChatModel.node';
import { RivyaTrigger } from '../../nodes/RivyaTrigger/RivyaTrigger.node';

const nodes: Record<string, INodeTypeDescription> = {
	rivya: new Rivya().description,
	rivyaTrigger: new RivyaTrigger().description,
	rivyaChatModel: new RivyaChatModel().description,
};

type Choice = INodeProperties | INodePropertyCollection | { name: string; value: unknown };

function isProperty(choice: Choice): choice is INodeProperties {
	return 'type' in choice && 'displayName' in choice;
}

function isCollectionGroup(choice: Choice): choice is INodePropertyCollection {
	return !('type' in choice) && 'values' in choice;
}

/** One line per parameter (nested ones under their parent's path): name, type, default, where shown. */
function parameterLines(properties: INodeProperties[], path = ''): string[] {
	const lines: string[] = [];
	for (const property of properties) {
		const name = `${path}${property.name}`;
		const show = property.displayOptions?.show
			? ` show=${JSON.stringify(property.displayOptions.show)}`
			: '';
		lines.push(`${name}: ${property.type} = ${JSON.stringify(property.default)}${show}`);
		for (const choice of (property.options ?? []) as Choice[]) {
			if (isProperty(choice)) lines.push(...parameterLines([choice], `${name}.`));
			else if (isCollectionGroup(choice))
				lines.push(...parameterLines(choice.values, `${name}.${choice.name}.`));
		}
	}
	return lines;
}

/** Every collection and fixedCollection in a list of properties, however deeply nested. */
function collections(properties: INodeProperties[]): INodeProperties[] {
	const found: INodeProperties[] = [];
	for (const property of properties) {
		if (property.type === 'collection' || property.type === 'fixedCollection') found.push(property);
		for (const choice of (property.options ?? []) as Choice[]) {
			if (isProperty(choice)) found.push(...collections([choice]));
			else if (isCollectionGroup(choice)) found.push(...collections(choice.values));
		}
	}
	return found;
}

function optionValues(property: INodeProperties | undefined): string[] {
	return ((property?.options ?? []) as Array<{ value: string }>)
		.map((option) => option.value)
		.sort();
}

describe('node descriptions', () => {
	const rivyaProperties = nodes.rivya.properties;

	it('the Resource choices are exactly the resources the router can run', () => {
		const resourceField = rivyaProperties.find((property) => property.name === 'resource');
		expect(optionValues(resourceField)).toEqual(Object.keys(resources).sort());
	});

	it.each(Object.entries(resources))(
		'%s: every Operation choice has a handler, and every handler is offered',
		(resourceName, resource) => {
			const operationFields = rivyaProperties.filter(
				(property) =>
					property.name === 'operation' &&
					(property.displayOptions?.show?.resource as string[] | undefined)?.includes(resourceName),
			);
			expect(operationFields).toHaveLength(1);
			expect(optionValues(operationFields[0])).toEqual(Object.keys(resource.operations).sort());
		},
	);

	it.each(Object.keys(nodes))(
		'%s: options collections list their fields alphabetically',
		(nodeName) => {
			const unsorted = collections(nodes[nodeName].properties)
				.map((collection) => {
					const names = ((collection.options ?? []) as Array<{ displayName: string }>).map(
						(choice) => choice.displayName,
					);
					const sorted = [...names].sort((a, b) => a.localeCompare(b));
					return { collection: collection.name, names, sorted };
				})
				.filter(({ names, sorted }) => names.join('|') !== sorted.join('|'));
			expect(unsorted).toEqual([]);
		},
	);

	it.each(Object.keys(nodes))(
		'%s: parameter names, types, defaults and where they show are unchanged (saved workflows hold them)',
		(nodeName) => {
			const description = nodes[nodeName];
			expect({
				version: description.version,
				defaultVersion: description.defaultVersion,
				parameters: parameterLines(description.properties),
			}).toMatchSnapshot();
		},
	);
});
