import { d } from './define.ts';

/** System steps (issue 15.3): calls to campus systems declared in hall.yaml. */
export const SYSTEM_STEP_DIAGNOSTICS = {
  'system/unknown-connector': d('error', ['系统环节调用未声明的接口', 'System step calls an undeclared connector'],
    ['系统环节“{step}”调用接口“{connector}”，但 hall.yaml 的 connectors 中没有声明它。大厅只调用声明过的业务系统接口。', 'System step "{step}" calls connector "{connector}", which hall.yaml does not declare under connectors. The hall calls declared connectors only.'],
    ['在 hall.yaml 的 connectors 中声明它（标识、名称、主管部门；地址和密钥由信息化办在运行平台配置），或改用已声明的接口：{known}。', 'Declare it in hall.yaml connectors (id, name, owning department; the IT office configures its address and secret in the runtime), or use a declared one: {known}.'],
    { bad: 'system:\n  connector: door', good: '# hall.yaml\nconnectors:\n  - { id: door-access, name: 门禁管理系统, department: bwc }\n# service\nsystem:\n  connector: door-access' }),
} as const;
