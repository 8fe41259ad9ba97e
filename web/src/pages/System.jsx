// System: the node's host settings, one tab per area the node's API offers.
import { useApp } from '../components/context.js';
import { offered } from '../components/Layout.jsx';
import { href } from '../lib/router.js';
import { TimeSection } from './system/Time.jsx';
import { DnsSection } from './system/Dns.jsx';
import { HostsSection } from './system/Hosts.jsx';
import { ServicesSection } from './system/Services.jsx';
import { SyslogSection } from './system/Syslog.jsx';
import { KernelSection } from './system/Kernel.jsx';
import { OptionsSection } from './system/Options.jsx';
import { SubscriptionSection } from './system/Subscription.jsx';

/** TABS are the System page's sections, each shown when the node lists its endpoint. */
export const TABS = [
  { id: 'time', label: 'Time', needs: 'time', Section: TimeSection },
  { id: 'dns', label: 'DNS', needs: 'dns', Section: DnsSection },
  { id: 'hosts', label: 'Hosts', needs: 'hosts', Section: HostsSection },
  { id: 'services', label: 'Services', needs: 'services', Section: ServicesSection },
  { id: 'syslog', label: 'System log', needs: 'syslog', Section: SyslogSection },
  { id: 'kernel', label: 'KSM & sysctl', needs: ['ksm', 'sysctl'], Section: KernelSection },
  { id: 'options', label: 'Node options', needs: 'config', Section: OptionsSection },
  { id: 'subscription', label: 'Subscription', needs: 'subscription', Section: SubscriptionSection },
];

export function System({ arg }) {
  const { features } = useApp();
  const tabs = TABS.filter((t) => offered(t.needs, features));
  const tab = tabs.find((t) => t.id === arg) || tabs[0];
  if (!tab) return <div class="alert alert-warn">This node offers no system settings.</div>;
  const { Section } = tab;
  return (
    <section>
      <div class="page-head"><h1>System</h1></div>
      <nav class="tabs" aria-label="System sections">
        {tabs.map((t) => <a key={t.id} href={href('system', t.id)} aria-current={t === tab ? 'page' : undefined}>{t.label}</a>)}
      </nav>
      <Section />
    </section>
  );
}
