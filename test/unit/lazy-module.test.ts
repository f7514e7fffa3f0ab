/** cloud/lazy-module.ts: one import for all callers, kept; a failed import is tried again. */
import { lazyModule } from '../../cloud/lazy-module';

test('imports once, hands every caller the same module, and knows it afterwards', async () => {
  let imports = 0;
  const m = lazyModule(() => {
    imports++;
    return Promise.resolve({ name: 'mod' });
  });
  expect(m.current()).toBeUndefined();
  const [a, b] = await Promise.all([m.load(), m.load()]);
  expect(a).toBe(b);
  expect(await m.load()).toBe(a);
  expect(m.current()).toBe(a);
  expect(imports).toBe(1);
});

test('a failed import fails its callers and is tried again by the next one', async () => {
  let imports = 0;
  const m = lazyModule(() =>
    ++imports === 1 ? Promise.reject(new Error('chunk missing')) : Promise.resolve('ok'),
  );
  await expect(m.load()).rejects.toThrow('chunk missing');
  expect(m.current()).toBeUndefined();
  expect(await m.load()).toBe('ok');
  expect(imports).toBe(2);
});
