import{co as i}from"./index-Dslblvy-.js";const n=o=>["",...i].includes(o);export{n as i};
