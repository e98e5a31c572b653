import { GENERATED_BANNER } from '../codegen/types.ts';

/** generated/README.md: what is here, who reads it, and that it is never edited by hand. */
export function generatedReadme(): string {
  return `<!-- ${GENERATED_BANNER} -->
# generated/ — 编译产物 / compiled output

本文件夹由 \`hall build\` 从 \`catalog/\` 与 \`schemas/\` 生成，随代码一起提交、一起评审。**请勿手工修改**：
CI 运行 \`hall build --check\`，任何手工修改或未重新生成的目录变更都会让检查失败。

This folder is written by \`hall build\` from \`catalog/\` and \`schemas/\`, committed and reviewed like code.
**Never edit it by hand**: CI runs \`hall build --check\`, which fails on any hand edit or on catalog changes
that were not rebuilt.

| 路径 / path | 内容 / contents | 读者 / reader |
|---|---|---|
| \`runtime/manifest.json\` | 每个事项的当前版本、保留的全部版本、sha256 / current and kept versions, sha256 | 运行平台 / the hall runtime |
| \`runtime/<id>/v<n>.json\` | 一个事项一个版本的运行定义：表单 JSON Schema 与界面、审批流程、链接、预约 / one version's definition | 运行平台 / the hall runtime |
| \`runtime/calendar.json\` | 工作日历（节假日、调休） / work calendar | 运行平台 / the hall runtime |
| \`bpmn/<id>/v<n>.bpmn\`、\`bpmn/<id>/v<n>/*.form\` | 每个保留版本的 Camunda 8 流程（BPMN 2.0）与表单，部署方法见 docs/camunda.md / Camunda 8 process and forms per kept version, see docs/camunda.md | Camunda 8 (Zeebe) |
| \`types/\` | 由 \`schemas/\` 生成的 TypeScript 类型 / TypeScript types from \`schemas/\` | 工具链与运行平台开发者 / toolchain and runtime developers |

## 版本规则 / Versions

- 表单、流程（环节、条件、期限、通知）、链接、预约、主管与参与部门、渠道的任何变化都会产生新版本 N+1；
  只改办事指南不产生新版本，运行定义的字节也不变。
  Any change to the form, workflow (steps, conditions, deadlines, notifications), link, appointment, owner,
  participants or channels yields version N+1; a guide-only edit changes no version and no runtime bytes.
- 版本号以已提交的 \`runtime/manifest.json\` 为准。/ Versions are decided against the committed manifest.
- **保留规则 / Retention:** 构建从不删除旧版本——仍在办理中的申请继续使用它开始时的版本，已停办事项的版本
  也保留供查询统计（000号文第十三条）。只有在运行平台确认某版本已无在办实例后，才可由信息化办在单独的 PR
  中删除该版本的文件和清单条目。
  A build never drops a version: applications in flight continue on the version they started with, and
  retired services keep theirs for statistics. A version is removed only in a separate PR by the IT office,
  after the runtime confirms it has no running instances.
- 涉密事项和草稿不出现在这里。/ Confidential services and drafts never appear here.

## 运行平台如何加载 / Loading

\`\`\`ts
import { loadRuntime } from 'servicehall/runtime';
const runtime = await loadRuntime('generated');      // 校验 schema 与 sha256 / verifies schemas and hashes
const definition = runtime.current('student-leave');  // 新申请使用的版本 / version for new applications
\`\`\`
`;
}
