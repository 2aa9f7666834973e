/**
 * The editor's answers about partials, as plain data: include under the cursor, hover text,
 * completion of names and parameters, uses through callers, the modules of a workspace.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDocument, SchemaIndex } from '../../server/src/core/workspace';
import { PartialWorkspace } from '../../server/src/core/partials/workspace';
import { PartialResolver } from '../../server/src/core/partials/resolve';
import {
  fieldsThroughInclude, fieldUsesThroughCallers, includeAt, includeCompletionContextAt, includeCompletions,
  includeHoverMarkdown, modulesOf, type PartialsOnOffer,
} from '../../server/src/core/partials/ide';
import { cursor } from '../helpers/cursor';
import { memoryFs } from '../helpers/memory-fs';
import { NOW } from '../helpers/schema';

const FILES: Record<string, string> = {
  '/w/mergewise.json': JSON.stringify({
    dialect: 'liquid',
    fields: {
      'customer.first_name': { type: 'string' },
      'customer.city': { type: 'string' },
      'customer.orders_count': { type: 'number', required: true },
    },
  }),
  '/w/snippets/greeting.liquid': '{% doc %}\n  @param {string} name - what to call them\n  @param {boolean} [vip]\n{% enddoc %}\nHi {{ name }}{% if vip %}!{% endif %}\n',
  '/w/snippets/city-line.liquid': '<p>{{ customer.city }} · {{ customer.orders_count }} orders</p>\n',
  '/w/snippets/_footer.liquid': 'Bye\n',
  '/w/emails/welcome.liquid': "{% render 'greeting', name: customer.first_name %}\n{% if customer.city %}{% render 'city-line' %}{% endif %}\n{% render 'missing' %}",
  '/w/emails/winback.liquid': "{% render 'city-line' %}\n",
};

function setUp() {
  const fs = memoryFs(FILES);
  const index = new SchemaIndex(fs);
  const templates = Object.keys(FILES).filter((file) => !file.endsWith('.json'));
  const graph = new PartialWorkspace(index, { read: (file) => fs.readText(file), templates: () => templates });
  const welcome = analyzeDocument(index, '/w/emails/welcome.liquid', FILES['/w/emails/welcome.liquid'], undefined, NOW, graph);
  return { fs, index, graph, welcome };
}

describe('partials in the editor', () => {
  test('includeAt finds the include whose name is under the cursor, quotes included', () => {
    const { welcome } = setUp();
    assert.equal(includeAt(welcome.includes, "{% render 'gr".length)?.site.name, 'greeting');
    assert.equal(includeAt(welcome.includes, "{% render ".length)?.site.name, 'greeting');
    assert.equal(includeAt(welcome.includes, 2), undefined);
  });

  test('the hover names the file, the parameters and whether each field is covered where it is included', () => {
    const { graph, welcome } = setUp();
    const [greeting, cityLine, missing] = welcome.includes!;
    const greetingHover = includeHoverMarkdown(greeting, fieldsThroughInclude(graph, greeting, welcome.schema));
    assert.match(greetingHover, /^\*\*snippets\/greeting\.liquid\*\*: `greeting`, found by convention\./);
    assert.ok(greetingHover.includes('- `name` (string, required, passed): what to call them'), greetingHover);
    assert.ok(greetingHover.includes('- `vip` (boolean, optional, not passed)'), greetingHover);
    assert.ok(greetingHover.includes('- `customer.first_name`: no fallback or guard'), greetingHover);
    const cityHover = includeHoverMarkdown(cityLine, fieldsThroughInclude(graph, cityLine, welcome.schema));
    assert.ok(cityHover.includes('- `customer.city`: covered by a guarding conditional'), cityHover);
    assert.ok(cityHover.includes('- `customer.orders_count`: covered by required in mergewise.json'), cityHover);
    assert.match(includeHoverMarkdown(missing, undefined), /^`missing` resolves to no partial: no file named missing in snippets\//);
  });

  test('completion knows when it is in an include\'s name or after its arguments', () => {
    const name = cursor("{% render 'gr█' %}");
    assert.deepEqual(includeCompletionContextAt(name.text, name.offset), { kind: 'name', include: 'render', span: { start: 11, end: 13 } });
    const handlebars = cursor('{{> head█}}');
    assert.equal(includeCompletionContextAt(handlebars.text, handlebars.offset)?.kind, 'name');
    const ampscript = cursor('%%=ContentBlockByKey("foo█")=%%');
    assert.deepEqual(includeCompletionContextAt(ampscript.text, ampscript.offset), { kind: 'name', include: 'content-block-key', span: { start: 22, end: 25 } });
    const parameter = cursor("{% render 'greeting', name: customer.first_name, v█");
    assert.deepEqual(includeCompletionContextAt(parameter.text, parameter.offset),
      { kind: 'parameter', include: 'render', name: 'greeting', passed: ['name'], span: { start: parameter.offset - 1, end: parameter.offset } });
    const elsewhere = cursor("{{ customer.first_name | default: 'th█' }}");
    assert.equal(includeCompletionContextAt(elsewhere.text, elsewhere.offset), undefined);
  });

  test('completion offers the partials that resolve, and the parameters not passed yet', () => {
    const { fs, graph } = setUp();
    const schema = new SchemaIndex(fs).schemaFor('/w/emails/welcome.liquid')?.result?.schema;
    const resolver = new PartialResolver(fs, '/w', schema);
    assert.deepEqual(resolver.availableNames('render', '/w/emails/welcome.liquid').sort(), ['city-line', 'footer', 'greeting']);
    assert.deepEqual(resolver.availableNames('render', '/w/snippets/greeting.liquid').sort(), ['city-line', 'footer'], 'not itself');
    const offer: PartialsOnOffer = {
      names: (kind) => resolver.availableNames(kind, '/w/emails/welcome.liquid'),
      parameters: (kind, name) => {
        const read = graph.read(resolver.resolve({ kind, name }, '/w/emails/welcome.liquid').file!);
        return read && !('problem' in read) ? read.scan.parameters : undefined;
      },
    };
    const parameter = cursor("{% render 'greeting', name: customer.first_name, █");
    const options = includeCompletions(includeCompletionContextAt(parameter.text, parameter.offset)!, offer);
    assert.deepEqual(options, [{ label: 'vip', kind: 'parameter', detail: 'boolean · optional', insert: 'vip: ' }]);
  });

  test('a partial\'s parameters are its callers\' fields for references; a file nothing includes has none', () => {
    const { graph } = setUp();
    const through = fieldUsesThroughCallers(graph, '/w/snippets/greeting.liquid')!;
    assert.deepEqual(through.uses.map((use) => [use.field, use.written]), [['customer.first_name', 'name']]);
    assert.equal(fieldUsesThroughCallers(graph, '/w/emails/welcome.liquid'), undefined);
  });

  test('modules list each included partial with its includers and the coverage of its fields per template', () => {
    const { graph } = setUp();
    const modules = modulesOf(graph, Object.keys(FILES));
    assert.deepEqual(modules.map((m) => m.shown), ['snippets/city-line.liquid', 'snippets/greeting.liquid']);
    assert.deepEqual(modules[0], {
      file: '/w/snippets/city-line.liquid',
      shown: 'snippets/city-line.liquid',
      includedBy: ['/w/emails/welcome.liquid', '/w/emails/winback.liquid'],
      fields: [
        {
          field: 'customer.city', covered: false,
          templates: [{ file: '/w/emails/welcome.liquid', covered: true }, { file: '/w/emails/winback.liquid', covered: false }],
        },
        {
          field: 'customer.orders_count', covered: true,
          templates: [{ file: '/w/emails/welcome.liquid', covered: true }, { file: '/w/emails/winback.liquid', covered: true }],
        },
      ],
    });
  });
});
