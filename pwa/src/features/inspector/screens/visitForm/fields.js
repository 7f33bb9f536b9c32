// One form field drawn from the form JSON: number, yes/no, choices or text, each with its help,
// its error box and (for text) a character counter, wired to the form's `changed()`.
import { h, icon } from '../../../../shared/dom.js';
import { toggleChoice } from '../../../../shared/formModel.js';

export const OBSERVED = 'observed_at';

/** → {fieldNode, errorBox, describedBy}; they fill refs.fields / refs.errors / refs.counters. */
export function createFieldRenderer({ ctx, state, refs, changed }) {
  function describedBy(name, extra = []) {
    const field = state.form.fields.find((f) => f.name === name);
    const help = name === OBSERVED || field?.help ? [`h-${name}`] : [];
    return [...help, ...extra, `e-${name}`].join(' ');
  }

  function errorBox(name) {
    const box = h('p', { id: `e-${name}`, class: 'field__error', hidden: true });
    refs.errors[name] = box;
    return box;
  }

  function labelText(field) {
    return [field.label, field.required ? h('span', { class: 'req' }, ` (${ctx.t('form.required')})`) : null];
  }

  function fieldNode(field) {
    const { t } = ctx;
    const { name } = field;
    const help = field.help ? h('p', { id: `h-${name}`, class: 'field__help' }, field.help) : null;
    if (field.kind === 'integer') {
      const input = h('input', {
        id: `f-${name}`,
        name,
        type: 'text',
        inputmode: 'numeric',
        pattern: '[0-9]*',
        autocomplete: 'off',
        enterkeyhint: 'next',
        class: 'input input--number',
        value: state.values[name] ?? '',
        'aria-describedby': describedBy(name),
        'aria-required': field.required ? 'true' : null,
        oninput: (e) => {
          state.values[name] = e.target.value;
          changed(name, { touch: state.touched.has(name) });
        },
        onchange: () => changed(name),
      });
      refs.fields[name] = [input];
      return h('div', { class: 'field', id: `field-${name}` },
        h('label', { class: 'field__label', htmlFor: `f-${name}` }, labelText(field)), help, input, errorBox(name));
    }
    if (field.kind === 'boolean') {
      const radios = [true, false].map((value) =>
        h('input', {
          type: 'radio',
          id: `f-${name}-${value}`,
          name: `f-${name}`,
          class: 'toggle__input',
          value: String(value),
          checked: state.values[name] === value,
          'aria-describedby': describedBy(name),
          onchange: () => {
            state.values[name] = value;
            changed(name);
          },
        }),
      );
      refs.fields[name] = radios;
      return h('fieldset', { class: 'field', id: `field-${name}` },
        h('legend', { class: 'field__label' }, labelText(field)),
        help,
        h('div', { class: 'toggle' },
          radios.map((radio, i) =>
            h('label', { class: `toggle__option toggle__option--${i ? 'no' : 'yes'}`, htmlFor: radio.id },
              radio, h('span', { class: 'toggle__text' }, icon(i ? 'cross' : 'check'), t(i ? 'form.no' : 'form.yes'))),
          ),
        ),
        errorBox(name));
    }
    if (field.kind === 'choices') {
      const order = field.options.map((o) => o.value);
      const boxes = field.options.map((option) =>
        h('input', {
          type: 'checkbox',
          id: `f-${name}-${option.value}`,
          name: `f-${name}`,
          value: option.value,
          class: 'choice__input',
          checked: (state.values[name] ?? []).includes(option.value),
          'aria-describedby': describedBy(name),
          onchange: (e) => {
            state.values[name] = toggleChoice(state.values[name], option.value, e.target.checked, field.exclusive, order);
            for (const box of boxes) box.checked = state.values[name].includes(box.value);
            changed(name);
          },
        }),
      );
      refs.fields[name] = boxes;
      return h('fieldset', { class: 'field', id: `field-${name}` },
        h('legend', { class: 'field__label' }, labelText(field)),
        help,
        h('div', { class: 'choices' },
          field.options.map((option, i) =>
            h('label', { class: `choice${field.exclusive.includes(option.value) ? ' choice--exclusive' : ''}`, htmlFor: boxes[i].id },
              boxes[i], h('span', null, option.label)),
          ),
        ),
        errorBox(name));
    }
    // text / textarea
    const counter = h('p', { id: `c-${name}`, class: 'counter' });
    refs.counters[name] = counter;
    const input = h(field.kind === 'textarea' ? 'textarea' : 'input', {
      id: `f-${name}`,
      name,
      class: 'input',
      rows: field.kind === 'textarea' ? '4' : null,
      value: state.values[name] ?? '',
      'aria-describedby': describedBy(name, [`c-${name}`]),
      oninput: (e) => {
        state.values[name] = e.target.value;
        changed(name);
      },
    });
    if (field.kind === 'textarea') input.value = state.values[name] ?? '';
    refs.fields[name] = [input];
    return h('div', { class: 'field', id: `field-${name}` },
      h('label', { class: 'field__label', htmlFor: `f-${name}` }, labelText(field)), help, input, counter, errorBox(name));
  }

  return { fieldNode, errorBox, describedBy };
}
