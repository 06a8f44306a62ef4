import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".wrangler/", "dist/", "build/", "bench/out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // TypeScript checks names; the JS files here run in Node or workerd with their own globals.
      "no-undef": "off",
      // The SQL helper is a tagged template whose result is often not needed.
      "@typescript-eslint/no-unused-expressions": ["error", { allowTaggedTemplates: true }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "@typescript-eslint/no-namespace": ["error", { allowDeclarations: true }],
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
    },
  },
  {
    // Node runs these with type stripping (npm scripts, the bench, and the src files the Tencent
    // stand-in loads): only erasable TypeScript, and relative imports that name the .ts file.
    files: [
      "scripts/**/*.ts",
      "bench/**/*.ts",
      "src/tencent/rest/**/*.ts",
      "src/lib/read-body.ts",
      "src/lib/validation.ts",
      "src/online/shard.ts",
      "src/presence/account.ts",
      "src/presence/types.ts",
    ],
    rules: {
      "@typescript-eslint/parameter-properties": ["error", { prefer: "class-property" }],
      "no-restricted-syntax": [
        "error",
        { selector: "TSEnumDeclaration", message: "Node's type stripping has no enums: use a union of literals." },
        {
          selector: "ImportDeclaration[importKind='value'][source.value=/^[.][.]?[/](?!.*[.]ts$)/]",
          message: "Node resolves no extensionless imports: name the .ts file (or import type only).",
        },
      ],
    },
  },
);
