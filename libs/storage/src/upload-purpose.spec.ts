import { defineRole } from '@bourse/platform';
import { UploadPurposes, type UploadPurpose } from './upload-purpose';

const DOCUMENT: UploadPurpose = {
  name: 'test.document',
  contentTypes: ['application/pdf'],
  maxBytes: 1024,
};

describe('UploadPurposes.register', () => {
  it('admits readers holding the platform roles or one a lib declared', () => {
    const reviewer = defineRole('test_reviewer', 'reads the test documents others uploaded');
    const purposes = new UploadPurposes();
    purposes.register({ ...DOCUMENT, readers: { roles: ['compliance', reviewer] } });

    expect(purposes.get('test.document')?.readers?.roles).toEqual(['compliance', reviewer]);
  });

  it('refuses readers naming a role nobody declared, so a typo never hides files from all', () => {
    expect(() =>
      new UploadPurposes().register({ ...DOCUMENT, readers: { roles: ['complaince'] } }),
    ).toThrow(
      'Upload purpose test.document: readers.roles names undeclared roles complaince (declare them with defineRole)',
    );
  });

  it('refuses a purpose declared twice with different rules', () => {
    const purposes = new UploadPurposes();
    purposes.register(DOCUMENT);

    expect(() => purposes.register({ ...DOCUMENT, maxBytes: 2048 })).toThrow(
      'Upload purpose test.document is declared twice',
    );
  });
});
